import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from './errors.js';
import { encodeFrame, FrameDecoder } from './framing.js';

test('frames survive being split at every byte', () => {
  const values = [{ v: 1, type: 'hello', data: [1, 2, 3] }, 'text', 42, { nested: { deep: true } }];
  const stream = Buffer.concat(values.map((v) => encodeFrame(v)));
  for (let cut = 0; cut <= stream.length; cut++) {
    const decoder = new FrameDecoder();
    const out = [...decoder.push(stream.subarray(0, cut)), ...decoder.push(stream.subarray(cut))];
    assert.equal(out, values);
    assert.is(decoder.pendingBytes(), 0);
  }
});

test('an oversized frame is refused when encoding', () => {
  try {
    encodeFrame({ blob: 'x'.repeat(200) }, 100);
    assert.unreachable('should have thrown');
  } catch (err) {
    assert.ok(isSwarmError(err, 'FRAME_TOO_LARGE'));
  }
});

test('an oversized length header is refused before its body arrives, and poisons the decoder', () => {
  const decoder = new FrameDecoder(1024);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(1025, 0);
  assert.throws(() => decoder.push(header), (err: unknown) => isSwarmError(err, 'FRAME_TOO_LARGE'));
  assert.throws(() => decoder.push(encodeFrame('ok')), (err: unknown) => isSwarmError(err, 'FRAME_TOO_LARGE'));
});

test('a body that is not msgpack is MALFORMED_MESSAGE, never another error', () => {
  const bad = Buffer.from([0, 0, 0, 2, 0xc1, 0xc1]);
  const decoder = new FrameDecoder();
  assert.throws(() => decoder.push(bad), (err: unknown) => isSwarmError(err, 'MALFORMED_MESSAGE'));
});

test.run();
