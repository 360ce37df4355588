import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from '../core/errors.js';
import { decodePskFile, encodePskFile, generatePsk, pskBytes } from './psk.js';

test('generatePsk gives distinct 32-byte keys that survive the key file format', () => {
  const a = generatePsk();
  const b = generatePsk();
  assert.is(a.length, pskBytes);
  assert.not.equal(a, b);
  const file = encodePskFile(a);
  assert.ok(file.startsWith('/key/swarm/psk/1.0.0/\n/base16/\n'));
  assert.equal(decodePskFile(file), a);
  assert.equal(decodePskFile(file.replaceAll('\n', '\r\n') + '\r\n'), a, 'CRLF and a trailing newline are accepted');
});

const bad: Array<[string, string, string]> = [
  ['empty', '', 'line 1'],
  ['wrong tag', '/key/swarm/psk/2.0.0/\n/base16/\n' + '00'.repeat(32), 'line 1'],
  ['wrong codec', '/key/swarm/psk/1.0.0/\n/base64/\n' + '00'.repeat(32), 'line 2'],
  ['short key', '/key/swarm/psk/1.0.0/\n/base16/\n' + '00'.repeat(31), 'line 3'],
  ['not hex', '/key/swarm/psk/1.0.0/\n/base16/\n' + 'zz'.repeat(32), 'line 3'],
  ['missing key', '/key/swarm/psk/1.0.0/\n/base16/', 'line 3'],
];

for (const [name, text, where] of bad) {
  test(`decodePskFile refuses ${name} with INVALID_CONFIG naming ${where}`, () => {
    try {
      decodePskFile(text);
      assert.unreachable('should refuse');
    } catch (err) {
      assert.ok(isSwarmError(err, 'INVALID_CONFIG'), String(err));
      assert.match(err.message, where);
    }
  });
}

test('encodePskFile refuses a key of the wrong length', () => {
  assert.throws(() => encodePskFile(new Uint8Array(16)), (err: unknown) => isSwarmError(err, 'INVALID_ARGUMENT'));
});

test.run();
