import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SeededRandom } from '../core/random.js';
import { testSeed } from '../core/seed.js';
import { checkLinearizable, kvModel, type KvInput, type KvOutput, type Operation } from './linearizability.js';

const seed = testSeed();
type Op = Operation<KvInput, KvOutput>;

const put = (key: string, value: string, callMs: number, returnMs: number | undefined, clientId = 'c'): Op => ({
  clientId, input: { kind: 'put', key, value }, output: returnMs === undefined ? undefined : { kind: 'put' }, callMs, returnMs,
});
const get = (key: string, value: string | undefined, callMs: number, returnMs: number, clientId = 'c'): Op => ({
  clientId, input: { kind: 'get', key }, output: { kind: 'get', value }, callMs, returnMs,
});
const cas = (key: string, expected: string | undefined, value: string, swapped: boolean | undefined, callMs: number, returnMs: number | undefined): Op => ({
  clientId: 'c', input: { kind: 'cas', key, expected, value }, output: swapped === undefined ? undefined : { kind: 'cas', swapped }, callMs, returnMs,
});

const cases: { name: string; history: Op[]; linearizable: boolean }[] = [
  { name: 'empty history', history: [], linearizable: true },
  { name: 'read of a key never written is undefined', history: [get('x', undefined, 0, 1)], linearizable: true },
  { name: 'read of a value nobody wrote', history: [get('x', 'ghost', 0, 1)], linearizable: false },
  { name: 'sequential put then get', history: [put('x', '1', 0, 1), get('x', '1', 2, 3)], linearizable: true },
  { name: 'stale read after the put returned', history: [put('x', '1', 0, 1), get('x', undefined, 2, 3)], linearizable: false },
  { name: 'read concurrent with a put may see either value', history: [put('x', '1', 0, 10), get('x', undefined, 1, 2), get('x', '1', 3, 4)], linearizable: true },
  {
    name: 'new value then old value while the put is in flight',
    history: [put('x', '1', 0, 10), get('x', '1', 1, 2), get('x', undefined, 3, 4)],
    linearizable: false,
  },
  {
    name: 'operations that touch in time are concurrent',
    history: [put('x', '1', 0, 5), get('x', undefined, 5, 6)],
    linearizable: true,
  },
  {
    name: 'two readers disagree on the order of two writes',
    history: [put('x', '1', 0, 10), put('x', '2', 0, 10), get('x', '1', 1, 2, 'a'), get('x', '2', 3, 4, 'a'), get('x', '2', 1, 2, 'b'), get('x', '1', 3, 4, 'b')],
    linearizable: false,
  },
  { name: 'cas swaps only from the expected value', history: [put('x', '1', 0, 1), cas('x', '1', '2', true, 2, 3), get('x', '2', 4, 5)], linearizable: true },
  { name: 'cas from absent', history: [cas('x', undefined, '1', true, 0, 1), cas('x', undefined, '2', false, 2, 3), get('x', '1', 4, 5)], linearizable: true },
  {
    name: 'two concurrent cas from the same value cannot both swap',
    history: [put('x', '0', 0, 1), cas('x', '0', 'a', true, 2, 5), cas('x', '0', 'b', true, 2, 5)],
    linearizable: false,
  },
  { name: 'a failed cas must have seen another value', history: [put('x', '0', 0, 1), cas('x', '0', 'a', false, 2, 3)], linearizable: false },
  { name: 'a timed-out put may have happened', history: [put('x', '1', 0, undefined), get('x', '1', 5, 6)], linearizable: true },
  { name: 'a timed-out put may never happen', history: [put('x', '1', 0, undefined), get('x', undefined, 5, 6)], linearizable: true },
  {
    name: 'a timed-out put cannot be undone once seen',
    history: [put('x', '1', 0, undefined), get('x', '1', 5, 6), get('x', undefined, 7, 8)],
    linearizable: false,
  },
  { name: 'a timed-out put cannot take effect before its call', history: [get('x', '1', 0, 1), put('x', '1', 2, undefined)], linearizable: false },
  { name: 'a timed-out cas may have swapped', history: [put('x', '0', 0, 1), cas('x', '0', '1', undefined, 2, undefined), get('x', '1', 9, 10)], linearizable: true },
  {
    name: 'keys are independent',
    history: [put('x', '1', 0, 1), put('y', '2', 0, 1), get('y', '2', 2, 3), get('x', '1', 2, 3)],
    linearizable: true,
  },
  {
    name: 'a violation on one key among many is found',
    history: [put('x', '1', 0, 1), put('y', '1', 0, 1), get('x', '1', 2, 3), get('y', undefined, 2, 3)],
    linearizable: false,
  },
];

for (const c of cases) {
  test(`checker: ${c.name} -> ${c.linearizable ? 'linearizable' : 'rejected'}`, () => {
    const result = checkLinearizable(kvModel, c.history);
    assert.is(result.verdict, c.linearizable ? 'ok' : 'illegal', JSON.stringify(result));
  });
}

/**
 * A history from a real atomic register: each operation takes effect at one instant inside
 * its [call, return] interval, so the history is linearizable by construction.
 */
function atomicHistory(random: SeededRandom, count: number, keys: string[]): Op[] {
  const store = new Map<string, string>();
  const points = Array.from({ length: count }, () => random.int(1000)).sort((a, b) => a - b);
  return points.map((at, i) => {
    const key = random.pick(keys);
    const callMs = at - random.int(40);
    const returnMs = random.chance(0.05) ? undefined : at + random.int(40);
    const current = store.get(key);
    const roll = random.int(3);
    let op: Op;
    if (roll === 0) {
      store.set(key, `v${i}`);
      op = put(key, `v${i}`, callMs, returnMs);
    } else if (roll === 1) {
      op = get(key, current, callMs, at + random.int(40));
    } else {
      const expected = random.chance(0.5) ? current : `v${random.int(count)}`;
      const swapped = expected === current;
      if (swapped) store.set(key, `v${i}`);
      op = cas(key, expected, `v${i}`, returnMs === undefined ? undefined : swapped, callMs, returnMs);
    }
    return { ...op, clientId: `c${i % 5}` };
  });
}

test('histories from an atomic register are linearizable; a corrupted read is not', () => {
  const random = new SeededRandom(seed);
  for (let run = 0; run < 200; run++) {
    const history = atomicHistory(random, 60, ['a', 'b', 'c']);
    assert.is(checkLinearizable(kvModel, history).verdict, 'ok', `seed ${seed} run ${run}`);
    const reads = history.map((op, i) => [op, i] as const).filter(([op]) => op.input.kind === 'get' && op.output?.kind === 'get' && op.output.value !== undefined);
    if (reads.length === 0) continue;
    const [, at] = random.pick(reads);
    const corrupted = history.map((op, i) => (i === at ? { ...op, output: { kind: 'get' as const, value: 'never-written' } } : op));
    assert.is(checkLinearizable(kvModel, corrupted).verdict, 'illegal', `seed ${seed} run ${run}`);
  }
});

test('the search gives up with unknown rather than running without bound', () => {
  const history: Op[] = [];
  for (let i = 0; i < 40; i++) history.push(put('x', `v${i}`, 0, 100));
  history.push(get('x', 'nobody', 101, 102));
  assert.equal(checkLinearizable(kvModel, history, { stepsMax: 1000 }), { verdict: 'unknown', part: 0 });
});

test.run();
