import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SeededRandom } from '../../core/random.js';
import { crc32, tableCrc32 } from './record.js';

test('the table crc32 used before Node 20.15 matches the native one, chained seeds too', () => {
  const random = new SeededRandom(20_15);
  for (let round = 0; round < 200; round++) {
    const data = Uint8Array.from({ length: random.int(300) }, () => random.int(256));
    const seed = random.int(0xffffffff);
    assert.is(tableCrc32(data, seed), crc32(data, seed), `round ${round}`);
  }
  assert.is(tableCrc32(new TextEncoder().encode('123456789')), 0xcbf43926, 'the IEEE check value');
});

test.run();
