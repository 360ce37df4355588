import { silentLogger } from '../core/logger.js';
import { MemoryNetwork } from '../p2p/memory-transport.js';
import { MemoryForwardHub } from './memory-forwarder.js';
import { RaftService } from './raft-service.js';
import { cmd, ListStateMachine, testConfig } from './test-cluster.js';
import { raftTransportConfig } from './wire.js';

// Test support for crash.test.ts (not a test itself): a single-node cluster in `argv[2]`
// that proposes c0, c1, ... eight at a time and prints `acked <n>` as each is applied,
// until its parent kills it with SIGKILL.

const dir = process.argv[2]!;
const id = 'solo';
const service = new RaftService(
  { id, dir, bootstrapVoters: [id], config: testConfig({ snapshotEntries: 50, compactLagEntries: 10 }) },
  {
    transport: new MemoryNetwork().transport(id, raftTransportConfig(), { logger: silentLogger() }),
    forwarder: new MemoryForwardHub().forwarder(id),
    stateMachine: new ListStateMachine(),
    logger: silentLogger(),
  },
);
await service.start();
let next = 0;
async function loop(): Promise<void> {
  for (;;) {
    const n = next++;
    await service.propose(cmd(`c${n}`));
    process.stdout.write(`acked ${n}\n`);
  }
}
await Promise.all(Array.from({ length: 8 }, loop));
