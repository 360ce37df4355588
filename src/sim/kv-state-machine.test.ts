import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeCommand, KvStateMachine, type KvCommand } from './kv-state-machine.js';

const cmd = (clientId: string, requestId: number, input: KvCommand['input']): Uint8Array => encodeCommand({ clientId, requestId, input });

const result = (applied: ReturnType<KvStateMachine['apply']>) => applied?.result;

test('put, get and cas behave as a register per key', () => {
  const kv = new KvStateMachine();
  assert.equal(result(kv.apply(1, 1, cmd('c1', 1, { kind: 'get', key: 'x' }), true)), { kind: 'get', value: undefined });
  assert.equal(result(kv.apply(2, 1, cmd('c1', 2, { kind: 'put', key: 'x', value: 'a' }), true)), { kind: 'put' });
  assert.equal(result(kv.apply(3, 1, cmd('c2', 1, { kind: 'cas', key: 'x', expected: 'b', value: 'c' }), true)), { kind: 'cas', swapped: false });
  assert.equal(result(kv.apply(4, 1, cmd('c2', 2, { kind: 'cas', key: 'x', expected: 'a', value: 'c' }), true)), { kind: 'cas', swapped: true });
  assert.equal(result(kv.apply(5, 1, cmd('c1', 3, { kind: 'get', key: 'x' }), true)), { kind: 'get', value: 'c' });
  assert.is(kv.appliedIndex(), 5);
});

test('a retried request is answered from the session, an older one is stale, neither applies again', () => {
  const kv = new KvStateMachine();
  kv.apply(1, 1, cmd('c1', 1, { kind: 'put', key: 'x', value: 'a' }), true);
  kv.apply(2, 1, cmd('c1', 2, { kind: 'cas', key: 'x', expected: 'a', value: 'b' }), true);
  assert.equal(result(kv.apply(3, 1, cmd('c1', 2, { kind: 'cas', key: 'x', expected: 'a', value: 'b' }), true)), { kind: 'cas', swapped: true });
  assert.equal(result(kv.apply(4, 1, cmd('c1', 1, { kind: 'put', key: 'x', value: 'a' }), true)), { kind: 'stale' });
  assert.equal(result(kv.apply(5, 1, cmd('c1', 3, { kind: 'get', key: 'x' }), true)), { kind: 'get', value: 'b' });
  assert.equal(kv.sessionResult('c1', 3), { kind: 'get', value: 'b' });
  assert.is(kv.sessionResult('c1', 2), undefined);
});

test('empty and configuration entries only advance the index and digest', () => {
  const kv = new KvStateMachine();
  const before = kv.digest();
  assert.is(kv.apply(1, 1, new Uint8Array(), true), undefined);
  assert.is(kv.apply(2, 1, new TextEncoder().encode('{}'), false), undefined);
  assert.is.not(kv.digest(), before);
  assert.throws(() => kv.apply(4, 1, new Uint8Array(), true), /entry 4 after 2/);
});

test('a restored snapshot has the same state, sessions and digest', () => {
  const kv = new KvStateMachine();
  kv.apply(1, 1, cmd('c1', 1, { kind: 'put', key: 'x', value: 'a' }), true);
  kv.apply(2, 2, cmd('c2', 1, { kind: 'get', key: 'y' }), true);
  const copy = new KvStateMachine();
  copy.restore(kv.snapshot());
  assert.is(copy.appliedIndex(), 2);
  assert.is(copy.digest(), kv.digest());
  assert.equal(copy.sessionResult('c2', 1), { kind: 'get', value: undefined });
  const next = cmd('c1', 2, { kind: 'get', key: 'x' });
  assert.equal(copy.apply(3, 2, next, true), kv.apply(3, 2, next, true));
  assert.is(copy.digest(), kv.digest());
  assert.is(copy.apply(4, 2, new Uint8Array(), true), undefined);
});

test.run();
