import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { waitFor } from '../p2p/wait-for.js';
import { TestCluster } from './test-cluster.js';

const childPath = fileURLToPath(new URL(`./crash-child${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));

test('after kill -9, a node restarted from its WAL has every proposal it acknowledged, in order', async () => {
  const cluster = new TestCluster();
  try {
    const child = spawn(process.execPath, [...process.execArgv, childPath, cluster.dir('solo')], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acked = new Set<number>();
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) acked.add(Number(line.split(' ')[1]));
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    await waitFor('the child to acknowledge 300 proposals', () => acked.size >= 300, { timeoutMs: 30_000 });
    child.kill('SIGKILL');
    await exited;

    const service = await cluster.start('solo');
    const items = cluster.items('solo');
    for (const n of acked) assert.ok(items.includes(`c${n}`), `acknowledged c${n} survived`);
    assert.ok(service.status().snapshotIndex > 0, 'the restart began from a snapshot');
    // Proposals in a node's own log are applied in the order they were proposed.
    const numbers = items.map((item) => Number(item.slice(1)));
    assert.equal(numbers, [...numbers].sort((a, b) => a - b));
    assert.is(new Set(numbers).size, numbers.length, 'nothing applied twice');
    await cluster.waitForLeader(['solo']);
    const after = await service.propose(new TextEncoder().encode('after-crash'));
    assert.is(after.result, items.length);
  } finally {
    await cluster.destroy();
  }
});

test.run();
