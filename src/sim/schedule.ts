/**
 * Schedules as data: the list of choices a run made, and its compact text encoding.
 *
 * Every choice is recorded by the stable identity of what was chosen, not by its index
 * among the candidates, so a replay checks that the same thing is offered and reports a
 * clear divergence otherwise. Identities:
 *
 * | choice                         | id               | token        |
 * |--------------------------------|------------------|--------------|
 * | a step of task t (t < 26)      | t                | `a`..`z`     |
 * | a step of task t (t >= 26)     | t                | `X<t>.`      |
 * | a step of the IRQ on CPU c     | IRQ_BASE + c     | `A`..`P`, `Y<c>.` past 15 |
 * | arrival from IRQ source k      | ARRIVE_BASE + k  | `Q<k>.`      |
 * | expiry of timer k              | TIMER_BASE + k   | `T<k>.`      |
 * | write-back of CPU c's buffer   | DRAIN_BASE + c   | `W<c>.`      |
 * | delivery of signal source k    | SIGNAL_BASE + k  | `S<k>.`      |
 * | CPU c's access takes alternative j | READ_BASE + 256j + c | `R<256j+c>.` |
 * | the end of an RCU grace period | RCU_BASE         | `Z0.`        |
 *
 * `R` is lkmm only (sim/lkmm.ts): the step of CPU c's context whose load reads the j-th
 * newest write it may read (j >= 1) instead of the newest (its plain step), or whose store
 * is placed in the coherence order before the j newest writes of its location. The grace
 * period (sim/rcu.ts) is one process: the id of the one that may end now.
 *
 * A token may be followed by a decimal repeat count (`a12` is twelve steps of task 0).
 * The encoding is plain ASCII, so it survives shells, JSON and URLs.
 *
 * Caps: a schedule text is at most {@link SCHEDULE_TEXT_MAX} characters and decodes to at most
 * {@link SCHEDULE_CHOICES_MAX} choices (50 times the default step limit); anything larger is
 * refused before it is decoded or allocated.
 */
import { quote, SimUsageError } from './errors.ts';

export const IRQ_BASE = 1 << 16;
export const ARRIVE_BASE = 2 << 16;
export const TIMER_BASE = 3 << 16;
export const DRAIN_BASE = 4 << 16;
export const SIGNAL_BASE = 5 << 16;
export const READ_BASE = 6 << 16;
export const RCU_BASE = 7 << 16;
const KIND_MASK = 0xffff;

/** An lkmm choice of an older write (READ_BASE ids): not a process of its own. */
export function isReadChoice(id: number): boolean {
  return id >= READ_BASE && id < RCU_BASE;
}

/** The text token of one choice id (without repeat count). */
export function tokenOf(id: number): string {
  const base = id & ~KIND_MASK;
  const n = id & KIND_MASK;
  switch (base) {
    case 0: return n < 26 ? String.fromCharCode(97 + n) : `X${n}.`;
    case IRQ_BASE: return n < 16 ? String.fromCharCode(65 + n) : `Y${n}.`;
    case ARRIVE_BASE: return `Q${n}.`;
    case TIMER_BASE: return `T${n}.`;
    case DRAIN_BASE: return `W${n}.`;
    case SIGNAL_BASE: return `S${n}.`;
    case READ_BASE: return `R${n}.`;
    case RCU_BASE: return `Z${n}.`;
    default: throw new RangeError(`bad choice id ${id}`);
  }
}

/** A readable description of a choice id, for divergence messages. */
export function describeChoice(id: number): string {
  const base = id & ~KIND_MASK;
  const n = id & KIND_MASK;
  switch (base) {
    case 0: return `a step of task ${n}`;
    case IRQ_BASE: return `a step of the IRQ handler on CPU ${n}`;
    case ARRIVE_BASE: return `an interrupt from IRQ source ${n}`;
    case TIMER_BASE: return `the expiry of timer ${n}`;
    case DRAIN_BASE: return `a store-buffer write-back on CPU ${n}`;
    case SIGNAL_BASE: return `delivery of signal source ${n}`;
    case READ_BASE: return `CPU ${n & 255}'s access taking its alternative ${n >> 8} (a load: ` +
      `the write ${n >> 8} older than the newest; a store: placed before ${n >> 8} newer)`;
    case RCU_BASE: return 'the end of an RCU grace period';
    default: return `choice ${id}`;
  }
}

/** Encodes a list of choice ids compactly (run-length on repeated tokens). */
export function encodeSchedule(ids: ArrayLike<number>): string {
  let out = '';
  let i = 0;
  while (i < ids.length) {
    const id = ids[i]!;
    let j = i + 1;
    while (j < ids.length && ids[j] === id) j++;
    out += tokenOf(id);
    if (j - i > 1) out += String(j - i);
    i = j;
  }
  return out;
}

const LETTER_BASES: ReadonlyMap<string, number> = new Map([
  ['X', 0], ['Y', IRQ_BASE], ['Q', ARRIVE_BASE], ['T', TIMER_BASE], ['W', DRAIN_BASE],
  ['S', SIGNAL_BASE], ['R', READ_BASE], ['Z', RCU_BASE],
]);

/** The longest schedule text {@link decodeSchedule} accepts, in characters. */
export const SCHEDULE_TEXT_MAX = 1_000_000;
/** The most choices a schedule may decode to (50 times the default step limit). */
export const SCHEDULE_CHOICES_MAX = 1_000_000;

/**
 * Decodes {@link encodeSchedule}'s text. Throws a SimUsageError naming the bad position, or
 * the cap, for text over {@link SCHEDULE_TEXT_MAX} characters or decoding to more than
 * {@link SCHEDULE_CHOICES_MAX} choices (checked before anything is allocated).
 */
export function decodeSchedule(text: string): number[] {
  if (typeof text !== 'string') {
    throw new SimUsageError('E_BAD_SCHEDULE', `schedule: expected a string, got ${quote(text)}`);
  }
  if (text.length > SCHEDULE_TEXT_MAX) {
    throw new SimUsageError('E_BAD_SCHEDULE', `schedule: ${text.length} characters, over the ` +
      `cap of ${SCHEDULE_TEXT_MAX} (${quote(text, 16)})`);
  }
  const s = text.trim();
  const out: number[] = [];
  let i = 0;
  const bad = (why: string): never => {
    throw new SimUsageError('E_BAD_SCHEDULE',
      `malformed schedule at character ${i + 1} (${quote(s.slice(i, i + 8))}): ${why}`);
  };
  while (i < s.length) {
    const ch = s[i]!;
    let id: number;
    const base = LETTER_BASES.get(ch);
    if (ch >= 'a' && ch <= 'z') {
      id = ch.charCodeAt(0) - 97;
      i++;
    } else if (ch >= 'A' && ch <= 'P') {
      id = IRQ_BASE + ch.charCodeAt(0) - 65;
      i++;
    } else if (base !== undefined) {
      const m = /^[0-9]{1,5}\./.exec(s.slice(i + 1, i + 8));
      if (!m) bad(`'${ch}' must be followed by a number and '.'`);
      const n = Number(m![0].slice(0, -1));
      if (n > KIND_MASK) bad(`index ${n} is too large`);
      id = base + n;
      i += 1 + m![0].length;
    } else {
      return bad(`unexpected character ${quote(ch)}`);
    }
    const rep = /^[0-9]+/.exec(s.slice(i, i + 12));
    let count = 1;
    if (rep) {
      count = Number(rep[0]);
      if (count < 2 || count > 10_000_000) bad(`bad repeat count ${rep[0]}`);
      if (out.length + count > SCHEDULE_CHOICES_MAX) {
        bad(`the schedule decodes to more than ${SCHEDULE_CHOICES_MAX} choices (the cap)`);
      }
      i += rep[0].length;
    } else if (out.length >= SCHEDULE_CHOICES_MAX) {
      bad(`the schedule decodes to more than ${SCHEDULE_CHOICES_MAX} choices (the cap)`);
    }
    for (let r = 0; r < count; r++) out.push(id);
  }
  return out;
}
