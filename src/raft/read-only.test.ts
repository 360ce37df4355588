import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ReadOnly } from './read-only.js';

const b = (s: string) => new TextEncoder().encode(s);

test('reads are released in order up to the confirmed one, and repeats are ignored', () => {
  const ro = new ReadOnly();
  ro.add(5, '1', b('a'));
  ro.add(6, '2', b('b'));
  ro.add(6, '2', b('b'));
  ro.add(7, '1', b('c'));
  assert.is(ro.size(), 3);
  assert.equal(ro.lastContext(), b('c'));
  assert.equal([...ro.recvAck('2', b('b'))!], ['2']);
  assert.is(ro.recvAck('2', b('zz')), undefined);
  assert.equal(ro.advance(b('b')).map((r) => r.index), [5, 6]);
  assert.equal(ro.advance(b('b')), []);
  assert.is(ro.size(), 1);
});

test('contexts differing in any byte are distinct', () => {
  const ro = new ReadOnly();
  ro.add(1, '1', new Uint8Array([0, 255]));
  ro.add(2, '1', new Uint8Array([0, 254]));
  ro.add(3, '1', new Uint8Array([]));
  assert.is(ro.size(), 3);
});

test.run();
