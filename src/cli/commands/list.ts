/** `list`: what can be run. */
import { getVariant, variantNames } from '../../eventpoll/variant.ts';
import { LIBRARY } from '../../scenario/library.ts';
import { parse } from '../args.ts';
import { noPositionals } from './common.ts';

/** `list`. */
export function cmdList(argv: string[]): number {
  const { values: v, positionals } = parse(argv, { json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' } });
  if (v.help) {
    console.log('usage: eventpoll-sim list [--json]\nLists variants with their bug switches, ' +
      'the library scenarios and the scheduling strategies.');
    return 0;
  }
  noPositionals('list', positionals);
  const variants = variantNames().map((n) => {
    const x = getVariant(n);
    return { name: n, follows: x.follows, bugs: x.bugs.map((b) => ({ ...b })) };
  });
  const scenarios = LIBRARY.map((s) => ({ name: s.name, description: s.description ?? '' }));
  const strategies = ['random', 'pct', 'pct:DEPTH'];
  if (v.json) {
    console.log(JSON.stringify({ variants, scenarios, strategies }, null, 1));
    return 0;
  }
  console.log('variants:');
  for (const x of variants) {
    console.log(`  ${x.name}\n    ${x.follows}`);
    for (const b of x.bugs) console.log(`    +${b.id}: ${b.summary}`);
  }
  console.log('\nscenarios (also gen:SEED for a generated one, or a JSON file):');
  for (const s of scenarios) console.log(`  ${s.name.padEnd(20)} ${s.description}`);
  console.log(`\nstrategies: ${strategies.join(', ')}`);
  return 0;
}
