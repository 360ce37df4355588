import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from '../core/errors.js';
import { SeededRandom } from '../core/random.js';
import { testSeed } from '../core/seed.js';
import { defaultSimNetworkConfig, SimNetwork, validateSimNetworkConfig, type SimNetworkConfig } from './network.js';

const seed = testSeed();

function net(overrides: Partial<SimNetworkConfig> = {}, s = seed): SimNetwork<number> {
  return new SimNetwork<number>(new SeededRandom(s), { ...defaultSimNetworkConfig(), ...overrides });
}

/** Runs the network to quiescence, returning every delivery with its time. */
function drain(network: SimNetwork<number>): { atMs: number; from: string; to: string; message: number }[] {
  const out: { atMs: number; from: string; to: string; message: number }[] = [];
  for (let at = network.nextDeliveryMs(); at !== undefined; at = network.nextDeliveryMs()) {
    for (const d of network.deliverDue(at)) out.push({ atMs: at, ...d });
  }
  return out;
}

test('config validation rejects bad and accepts boundary values', () => {
  const cases: [Partial<SimNetworkConfig>, boolean][] = [
    [{}, true],
    [{ delayMsMin: 0, delayMsMax: 0 }, true],
    [{ dropRate: 1, duplicateRate: 1 }, true],
    [{ delayMsMin: -1 }, false],
    [{ delayMsMin: 5, delayMsMax: 4 }, false],
    [{ delayMsMax: 2.5 }, false],
    [{ dropRate: 1.01 }, false],
    [{ duplicateRate: -0.1 }, false],
    [{ dropRate: Number.NaN }, false],
    [{ inFlightMax: 0 }, false],
  ];
  for (const [overrides, ok] of cases) {
    const config = { ...defaultSimNetworkConfig(), ...overrides };
    if (ok) validateSimNetworkConfig(config);
    else assert.throws(() => validateSimNetworkConfig(config), (e: unknown) => isSwarmError(e, 'INVALID_CONFIG'), JSON.stringify(overrides));
  }
});

test('messages arrive within [delayMsMin, delayMsMax] and in time order', () => {
  const network = net({ delayMsMin: 3, delayMsMax: 7 });
  for (let i = 0; i < 200; i++) network.send('a', 'b', i, 100);
  const got = drain(network);
  assert.is(got.length, 200, `seed ${seed}`);
  for (const d of got) assert.ok(d.atMs >= 103 && d.atMs <= 107, `seed ${seed}: delivered at ${d.atMs}`);
  for (let i = 1; i < got.length; i++) assert.ok(got[i]!.atMs >= got[i - 1]!.atMs);
  const order = got.map((d) => d.message);
  assert.not.equal(order, [...order].sort((x, y) => x - y), `seed ${seed}: random delays should reorder 200 messages`);
});

test('nothing is due before its time and nextDeliveryMs is the earliest', () => {
  const network = net({ delayMsMin: 5, delayMsMax: 5 });
  assert.is(network.nextDeliveryMs(), undefined);
  network.send('a', 'b', 1, 0);
  network.send('a', 'b', 2, 2);
  assert.is(network.nextDeliveryMs(), 5);
  assert.equal(network.deliverDue(4), []);
  assert.equal(network.deliverDue(5), [{ from: 'a', to: 'b', message: 1 }]);
  assert.is(network.nextDeliveryMs(), 7);
  assert.equal(network.deliverDue(100), [{ from: 'a', to: 'b', message: 2 }]);
  assert.is(network.nextDeliveryMs(), undefined);
});

test('equal delivery times keep send order', () => {
  const network = net({ delayMsMin: 1, delayMsMax: 1 });
  for (let i = 0; i < 50; i++) network.send('a', String(i % 3), i, 0);
  assert.equal(network.deliverDue(1).map((d) => d.message), Array.from({ length: 50 }, (_, i) => i));
});

test('the same seed replays the same deliveries; loss and duplication rates hold roughly', () => {
  const run = () => {
    const network = net({ dropRate: 0.2, duplicateRate: 0.1 });
    for (let i = 0; i < 5000; i++) network.send('a', 'b', i, i);
    return { got: drain(network), stats: network.stats() };
  };
  const first = run();
  assert.equal(run(), first, `seed ${seed}`);
  const { stats } = first;
  assert.ok(stats.dropped > 850 && stats.dropped < 1150, `seed ${seed}: dropped ${stats.dropped} of 5000 at 20%`);
  assert.ok(stats.duplicated > 280 && stats.duplicated < 520, `seed ${seed}: duplicated ${stats.duplicated} of ~4000 at 10%`);
  assert.is(stats.delivered, 5000 - stats.dropped + stats.duplicated);
});

test('a partition cuts links between groups, also for messages already in flight', () => {
  const network = net({ delayMsMin: 10, delayMsMax: 10 });
  network.send('a', 'c', 1, 0);
  network.partition([['a', 'b'], ['c']]);
  network.send('a', 'b', 2, 0);
  network.send('c', 'a', 3, 0);
  assert.equal(network.deliverDue(10).map((d) => d.message), [2]);
  assert.is(network.stats().cut, 2);
  network.heal();
  network.send('c', 'a', 4, 10);
  assert.equal(network.deliverDue(20).map((d) => d.message), [4]);
});

test('nodes named in no group form their own group together', () => {
  const network = net();
  network.partition([['a']]);
  assert.not.ok(network.connected('a', 'b'));
  assert.ok(network.connected('b', 'c'));
  assert.ok(network.connected('a', 'a'));
  assert.throws(() => network.partition([['a'], ['a', 'b']]), (e: unknown) => isSwarmError(e, 'INVALID_ARGUMENT'));
});

test('isolate cuts one node both ways until rejoin or heal', () => {
  const network = net();
  network.isolate('b');
  assert.not.ok(network.connected('a', 'b'));
  assert.not.ok(network.connected('b', 'c'));
  assert.ok(network.connected('a', 'c'));
  network.rejoin('b');
  assert.ok(network.connected('a', 'b'));
  network.isolate('b');
  network.heal();
  assert.ok(network.connected('b', 'a'));
});

test('link loss applies to one direction only and 0 restores it', () => {
  const network = net();
  network.setLinkLoss('a', 'b', 1);
  for (let i = 0; i < 20; i++) {
    network.send('a', 'b', i, 0);
    network.send('b', 'a', i, 0);
  }
  const got = drain(network);
  assert.ok(got.every((d) => d.from === 'b'));
  assert.is(got.length, 20);
  network.setLinkLoss('a', 'b', 0);
  network.send('a', 'b', 99, 100);
  assert.is(drain(network).length, 1);
  assert.throws(() => network.setLinkLoss('a', 'b', 2), (e: unknown) => isSwarmError(e, 'INVALID_ARGUMENT'));
});

test('dropInFlight forgets every message to and from a crashed node', () => {
  const network = net();
  network.send('a', 'b', 1, 0);
  network.send('b', 'c', 2, 0);
  network.send('a', 'c', 3, 0);
  network.dropInFlight('b');
  assert.equal(drain(network).map((d) => d.message), [3]);
});

test('sends beyond inFlightMax are refused and counted', () => {
  const network = net({ inFlightMax: 3 });
  for (let i = 0; i < 5; i++) network.send('a', 'b', i, 0);
  assert.is(network.inFlight(), 3);
  assert.is(network.stats().overflowed, 2);
});

test.run();
