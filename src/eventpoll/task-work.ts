/**
 * kernel/task_work.c @ v6.18: task_work_add() and task_work_run(), the per-task list of
 * callbacks run when the task returns to user space. The final fput() of a file queues
 * `____fput` here (fs/file_table.c, __fput_deferred()), so `__fput` (eventpoll_release,
 * f_op->release, the free) runs at the end of the syscall, with no locks held, not inside
 * whatever dropped the last reference.
 *
 * `task->task_works` is a LIFO list of `callback_head`s `{next, func, arg}` (`func` is the
 * name of a registered work, so the heap stays plain data). Only the task itself queues
 * work in the model (TWA_RESUME on current), so the TIF_NOTIFY_RESUME bit that makes the
 * exit path call task_work_run() is the task's own flag, read without a step.
 *
 * Not modelled: task_work_cancel() (so not the pi_lock handshake task_work_run() makes
 * with it), `work_exited` (tasks never run exit_task_work() with work still queued), and
 * the delayed_fput list of kthreads and interrupts (a context without a task runs the
 * work at once).
 */
import type { Ctx } from '../sim/context.ts';
import { cmpxchg, load, READ_ONCE } from '../sim/mem.ts';
import type { Model } from '../sim/op.ts';

/** A task work function: `func(arg)` (for ____fput, `arg` is the file). */
export type TaskWorkFn = (c: Ctx, arg: number) => Model<void>;

const works = new Map<string, TaskWorkFn>();

/** Registers a task work function under its kernel name (e.g. `____fput`). */
export function registerTaskWork(name: string, fn: TaskWorkFn): void {
  works.set(name, fn);
}

function workFn(name: string): TaskWorkFn {
  const fn = works.get(name);
  if (fn === undefined) throw new Error(`no task work function '${name}'`);
  return fn;
}

/**
 * `init_task_work(&owner->cb, func)`: the callback_head, a member of `owner` (a file's
 * `f_task_work`), allocated when first queued (kmalloc of a private object is not a step).
 */
export function init_task_work(c: Ctx, owner: number, func: string): number {
  const m = c.m;
  const cb = m.alloc('callback_head', { next: 0, func, arg: owner },
    `${m.arena.label(owner)}.f_task_work`);
  m.arena.embed(cb, owner);
  return cb;
}

/** The task_struct's `task_works` field, 0 (NULL) until the task first queues work. */
function taskWorks(c: Ctx): number {
  const t = c.m.arena.objs[c.task]!;
  if (t.task_works === undefined) t.task_works = 0;
  return c.task;
}

/**
 * `task_work_add(current, work, TWA_RESUME)`: push `work` on the task's list with a
 * cmpxchg loop, then set_notify_resume(). Returns 0. A context without a task (setup, a
 * hardirq) runs the work at once instead, as the kernel's delayed fput would later.
 */
export function* task_work_add(c: Ctx, work: number): Model<number> {
  const FN = 'task_work_add';
  if (c.irq || c.task === 0) {
    const o = c.m.arena.objs[work]!;
    yield* workFn(o.func as string)(c, o.arg as number);
    return 0;
  }
  const task = taskWorks(c);
  let head: number = yield READ_ONCE(task, 'task_works', FN);
  for (;;) {
    // work->next = head: the work is not published yet (the cmpxchg does it), so no step.
    c.m.memory.writePrivate(c.cpu, work, 'next', head);
    const old: number = yield cmpxchg(task, 'task_works', head, work, FN);
    if (old === head) break;
    head = old;
  }
  // set_notify_resume(current): TIF_NOTIFY_RESUME, the task's own flag.
  c.local.notifyResume = true;
  return 0;
}

/**
 * `task_work_run()`: take the whole list (cmpxchg to NULL) and run each work, newest first;
 * again until the list stays empty (a work may queue more, e.g. a release that drops the
 * last reference of another file).
 */
export function* task_work_run(c: Ctx): Model<void> {
  const FN = 'task_work_run';
  c.local.notifyResume = false;
  const task = taskWorks(c);
  for (;;) {
    let work: number = yield READ_ONCE(task, 'task_works', FN);
    if (work === 0) return;
    const old: number = yield cmpxchg(task, 'task_works', work, 0, FN);
    if (old !== work) continue;
    while (work !== 0) {
      const next: number = yield load(work, 'next', FN);
      const o = c.m.arena.objs[work]!;
      yield* workFn(o.func as string)(c, o.arg as number);
      work = next;
    }
  }
}

/** The exit to user space of a syscall: runs queued task work (TIF_NOTIFY_RESUME set). */
export function* resume_user_mode_work(c: Ctx): Model<void> {
  if (c.local.notifyResume === true) yield* task_work_run(c);
}
