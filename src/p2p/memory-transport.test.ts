import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { silentLogger } from '../core/logger.js';
import { MemoryNetwork } from './memory-transport.js';
import { contractConfig, type ContractMessage } from './transport-contract.js';
import { waitFor } from './wait-for.js';

// The Transport contract runs in transport.test.ts; this is the twin's own extra: partitions.

test('a cut link drops messages both ways until it is restored; other links are unaffected', async () => {
  const network = new MemoryNetwork();
  const [a, b, c] = ['a', 'b', 'c'].map((id) => network.transport<ContractMessage>(id, contractConfig(), { logger: silentLogger() }));
  const inbox: string[] = [];
  for (const t of [a!, b!, c!]) {
    await t.start();
    t.onMessage((from, message) => inbox.push(`${from}>${t.localId} ${message.seq}`));
  }
  network.setLink('a', 'b', false);
  a!.send('b', { v: 1, seq: 1, text: '' });
  b!.send('a', { v: 1, seq: 2, text: '' });
  a!.send('c', { v: 1, seq: 3, text: '' });
  await waitFor('the open link delivers', () => inbox.length === 1);
  await waitFor('the cut link drops', () => a!.stats().dropped === 1 && b!.stats().dropped === 1);
  network.setLink('a', 'b', true);
  a!.send('b', { v: 1, seq: 4, text: '' });
  await waitFor('the restored link delivers', () => inbox.length === 2);
  assert.equal(inbox, ['a>c 3', 'a>b 4']);
  for (const t of [a!, b!, c!]) await t.stop();
});

test.run();
