import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from '../core/errors.js';
import { SeededRandom, type Random } from '../core/random.js';
import { testSeed } from '../core/seed.js';
import type { MembershipMessage } from './messages.js';
import { validateMembershipMessage } from './validate-message.js';
import { testMeta } from './test-fixtures.js';

const meta = testMeta('node-1', { labels: { zone: 'a' } });
const good: MembershipMessage[] = [
  { v: 1, type: 'ping', seq: 1, target: 'b', updates: [{ kind: 'alive', incarnation: 2, meta }] },
  { v: 1, type: 'ack', seq: 0, updates: [{ kind: 'suspect', id: 'b', incarnation: 0, from: 'c' }] },
  { v: 1, type: 'nack', seq: 7 },
  { v: 1, type: 'ping-req', seq: 3, target: 'b', updates: [{ kind: 'dead', id: 'b', incarnation: 9, from: 'b' }] },
  { v: 1, type: 'gossip', updates: [] },
  { v: 1, type: 'push-pull', reply: true, members: [{ meta, incarnation: 1, status: 'left' }] },
];

function codeOf(input: unknown): string {
  try {
    validateMembershipMessage(input);
    return 'ok';
  } catch (err) {
    return isSwarmError(err) ? err.code : `other: ${String(err)}`;
  }
}

test('every well-formed message passes and comes back equal', () => {
  for (const message of good) assert.equal(validateMembershipMessage(message), message, message.type);
});

test('malformed and foreign input is refused with a typed code', () => {
  const ping = good[0] as unknown as Record<string, unknown>;
  const cases: [string, unknown, string][] = [
    ['null', null, 'MALFORMED_MESSAGE'],
    ['a string', 'ping', 'MALFORMED_MESSAGE'],
    ['an array', [1], 'MALFORMED_MESSAGE'],
    ['no version', { type: 'nack', seq: 1 }, 'MALFORMED_MESSAGE'],
    ['a version that is a string', { v: '1', type: 'nack', seq: 1 }, 'MALFORMED_MESSAGE'],
    ['a newer version', { v: 2, type: 'nack', seq: 1 }, 'UNSUPPORTED_VERSION'],
    ['version 0', { v: 0, type: 'nack', seq: 1 }, 'UNSUPPORTED_VERSION'],
    ['an unknown type', { v: 1, type: 'hello' }, 'MALFORMED_MESSAGE'],
    ['a negative seq', { v: 1, type: 'nack', seq: -1 }, 'MALFORMED_MESSAGE'],
    ['a fractional seq', { v: 1, type: 'nack', seq: 1.5 }, 'MALFORMED_MESSAGE'],
    ['an unsafe seq', { v: 1, type: 'nack', seq: 2 ** 60 }, 'MALFORMED_MESSAGE'],
    ['a ping without target', { ...ping, target: undefined }, 'MALFORMED_MESSAGE'],
    ['a ping with an empty target', { ...ping, target: '' }, 'MALFORMED_MESSAGE'],
    ['a ping with an overlong target', { ...ping, target: 'x'.repeat(129) }, 'MALFORMED_MESSAGE'],
    ['updates not an array', { ...ping, updates: {} }, 'MALFORMED_MESSAGE'],
    ['too many updates', { ...ping, updates: new Array(257).fill({ kind: 'suspect', id: 'a', incarnation: 0, from: 'b' }) }, 'MALFORMED_MESSAGE'],
    ['an update of an unknown kind', { ...ping, updates: [{ kind: 'zombie', id: 'a', incarnation: 0, from: 'b' }] }, 'MALFORMED_MESSAGE'],
    ['an alive without meta', { ...ping, updates: [{ kind: 'alive', incarnation: 0 }] }, 'MALFORMED_MESSAGE'],
    ['meta with a bad role', { ...ping, updates: [{ kind: 'alive', incarnation: 0, meta: { ...meta, role: 'king' } }] }, 'MALFORMED_MESSAGE'],
    ['meta with a numeric label', { ...ping, updates: [{ kind: 'alive', incarnation: 0, meta: { ...meta, labels: { a: 1 } } }] }, 'MALFORMED_MESSAGE'],
    ['meta with negative memory', { ...ping, updates: [{ kind: 'alive', incarnation: 0, meta: { ...meta, capacity: { cpuMillicores: 1, memoryBytes: -1 } } }] }, 'MALFORMED_MESSAGE'],
    ['meta with too many addresses', { ...ping, updates: [{ kind: 'alive', incarnation: 0, meta: { ...meta, addresses: new Array(33).fill('/ip4/1.2.3.4') } }] }, 'MALFORMED_MESSAGE'],
    ['a suspect without from', { ...ping, updates: [{ kind: 'suspect', id: 'a', incarnation: 0 }] }, 'MALFORMED_MESSAGE'],
    ['a push-pull without reply', { v: 1, type: 'push-pull', members: [] }, 'MALFORMED_MESSAGE'],
    ['a push-pull member with a bad status', { v: 1, type: 'push-pull', reply: false, members: [{ meta, incarnation: 0, status: 'zombie' }] }, 'MALFORMED_MESSAGE'],
    ['a push-pull member with NaN incarnation', { v: 1, type: 'push-pull', reply: false, members: [{ meta, incarnation: NaN, status: 'alive' }] }, 'MALFORMED_MESSAGE'],
  ];
  for (const [name, input, code] of cases) assert.is(codeOf(input), code, name);
});

test('extra fields are dropped and a __proto__ label stays plain data', () => {
  const labels = JSON.parse('{"__proto__": "x", "zone": "b"}') as Record<string, string>;
  const input = { v: 1, type: 'gossip', extra: 'dropped', updates: [{ kind: 'alive', incarnation: 0, meta: { ...meta, labels } }] };
  const out = validateMembershipMessage(input);
  assert.not.ok('extra' in out);
  const update = (out as unknown as { updates: { meta: { labels: Record<string, string> } }[] }).updates[0]!;
  assert.equal(Object.keys(update.meta.labels), ['__proto__', 'zone']);
  assert.is(Object.getPrototypeOf(update.meta.labels), Object.prototype);
});

test('hostile objects (throwing getters, revoked proxies) give MALFORMED_MESSAGE, never another error', () => {
  const getter = Object.defineProperty({ v: 1 }, 'type', { get: () => { throw new TypeError('boom'); }, enumerable: true });
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  assert.is(codeOf(getter), 'MALFORMED_MESSAGE');
  assert.is(codeOf(proxy), 'MALFORMED_MESSAGE');
});

/** Replaces one random field somewhere in a copy of `value` by junk. */
function mutate(value: unknown, random: Random): unknown {
  const junk = [null, undefined, -1, 1.5, 'x', '', [], {}, true, 2 ** 70, 'z'.repeat(600)];
  if (typeof value !== 'object' || value === null || random.chance(0.2)) return random.pick(junk);
  const copy: Record<string, unknown> = Array.isArray(value) ? ([...value] as unknown as Record<string, unknown>) : { ...value };
  const keys = Object.keys(copy);
  if (keys.length === 0) return random.pick(junk);
  const key = random.pick(keys);
  copy[key] = mutate(copy[key], random);
  return copy;
}

test('randomly corrupted messages never throw anything but a typed SwarmError', () => {
  const seed = testSeed();
  const random = new SeededRandom(seed);
  for (let i = 0; i < 5000; i++) {
    const input = mutate(random.pick(good), random);
    const code = codeOf(input);
    assert.ok(code === 'ok' || code === 'MALFORMED_MESSAGE' || code === 'UNSUPPORTED_VERSION', `seed ${seed} case ${i}: ${code} for ${JSON.stringify(input)}`);
  }
});

test.run();
