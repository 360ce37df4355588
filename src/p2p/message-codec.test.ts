import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError, type ErrorCode } from '../core/errors.js';
import { decodeVersioned, encodeMessageBody } from './message-codec.js';

test('a versioned message round-trips', () => {
  const body = encodeMessageBody({ v: 3, items: [1, 'two', { three: true }] }, 1024);
  assert.equal(decodeVersioned(body, 3, 'test', 1024), { v: 3, items: [1, 'two', { three: true }] });
});

const cases: Array<[string, Uint8Array, ErrorCode]> = [
  ['undecodable bytes', new Uint8Array([0xc1]), 'MALFORMED_MESSAGE'],
  ['an array', encodeMessageBody([1, 2], 1024), 'MALFORMED_MESSAGE'],
  ['a string', encodeMessageBody('hello', 1024), 'MALFORMED_MESSAGE'],
  ['null', encodeMessageBody(null, 1024), 'MALFORMED_MESSAGE'],
  ['no version', encodeMessageBody({ x: 1 }, 1024), 'UNSUPPORTED_VERSION'],
  ['another version', encodeMessageBody({ v: 4 }, 1024), 'UNSUPPORTED_VERSION'],
  ['a string version', encodeMessageBody({ v: '3' }, 1024), 'UNSUPPORTED_VERSION'],
  ['too many bytes', encodeMessageBody({ v: 3, pad: 'x'.repeat(100) }, 1024), 'FRAME_TOO_LARGE'],
];

for (const [name, body, code] of cases) {
  test(`decodeVersioned refuses ${name} with ${code}`, () => {
    assert.throws(() => decodeVersioned(body, 3, 'test', 64), (err: unknown) => isSwarmError(err, code));
  });
}

test('encodeMessageBody refuses a message over the limit', () => {
  assert.throws(() => encodeMessageBody({ v: 1, pad: 'x'.repeat(100) }, 64), (err: unknown) => isSwarmError(err, 'FRAME_TOO_LARGE'));
});

test.run();
