import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SeededRandom } from '../core/random.js';
import { testSeed } from '../core/seed.js';
import { ProbeRing } from './probe-ring.js';

const peers = Array.from({ length: 10 }, (_, i) => `p${i}`);

test('each round probes every probeable peer exactly once, in a fresh random order', () => {
  const seed = testSeed();
  const ring = new ProbeRing(new SeededRandom(seed));
  const rounds = Array.from({ length: 3 }, () => Array.from({ length: peers.length }, () => ring.next(() => true, () => peers)));
  for (const round of rounds) assert.equal([...round].sort(), [...peers].sort(), `seed ${seed}`);
  assert.not.equal(rounds[1], rounds[2], `seed ${seed}: reshuffled on wrap`);
});

test('a peer added mid-round is probed in the same round; unprobeable peers are skipped', () => {
  const seed = testSeed();
  const ring = new ProbeRing(new SeededRandom(seed));
  const dead = new Set(['p3', 'p4']);
  const probeable = (id: string) => !dead.has(id);
  const first = [ring.next(probeable, () => peers), ring.next(probeable, () => peers)];
  ring.add('new');
  const rest = Array.from({ length: 7 }, () => ring.next(probeable, () => peers));
  assert.equal([...first, ...rest].sort(), ['new', 'p0', 'p1', 'p2', 'p5', 'p6', 'p7', 'p8', 'p9'], `seed ${seed}`);
});

test('with nobody to probe there is no target', () => {
  const ring = new ProbeRing(new SeededRandom(1));
  assert.is(ring.next(() => true, () => []), undefined);
  assert.is(ring.next(() => false, () => peers), undefined);
});

test.run();
