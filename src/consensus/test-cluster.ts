import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SwarmError } from '../core/errors.js';
import { silentLogger, Logger } from '../core/logger.js';
import { MemoryNetwork } from '../p2p/memory-transport.js';
import { waitFor } from '../p2p/wait-for.js';
import { defaultRaftServiceConfig, type RaftServiceConfig } from './config.js';
import { MemoryForwardHub } from './memory-forwarder.js';
import { RaftService } from './raft-service.js';
import type { StateMachine } from './state-machine.js';
import type { RaftServiceEvent } from './types.js';
import { raftTransportConfig } from './wire.js';

/**
 * Test support (not a test): RaftServices over a MemoryNetwork and a MemoryForwardHub, each
 * with a real WAL directory under one temporary directory, around ListStateMachine.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encodes a test command. */
export function cmd(text: string): Uint8Array {
  return encoder.encode(text);
}

/**
 * An append-only list of strings: apply returns the item's position (1-based), so a
 * result says where the command landed. The command "fail" throws, changing nothing.
 */
export class ListStateMachine implements StateMachine {
  items: string[] = [];
  restores = 0;

  apply(command: Uint8Array): unknown {
    const text = decoder.decode(command);
    if (text === 'fail') throw new SwarmError('INVALID_ARGUMENT', 'the test state machine refuses "fail"');
    this.items.push(text);
    return this.items.length;
  }

  snapshot(): Uint8Array {
    return encoder.encode(JSON.stringify(this.items));
  }

  restore(data: Uint8Array): void {
    this.restores++;
    this.items = JSON.parse(decoder.decode(data)) as string[];
  }
}

/** Timing for tests: 20 ms ticks, so elections take 200-400 ms. */
export function testConfig(overrides: Partial<RaftServiceConfig> = {}): RaftServiceConfig {
  return {
    ...defaultRaftServiceConfig(),
    tickMs: 20,
    proposalTimeoutMs: 5000,
    readTimeoutMs: 3000,
    membershipTimeoutMs: 5000,
    ...overrides,
  };
}

interface TestNode {
  service: RaftService;
  sm: ListStateMachine;
  events: RaftServiceEvent[];
}

/** A set of RaftServices in one process; `destroy()` stops them and removes their directories. */
export class TestCluster {
  readonly root = mkdtempSync(join(tmpdir(), 'swarmts-consensus-'));
  readonly network = new MemoryNetwork();
  readonly hub = new MemoryForwardHub();
  private readonly nodes = new Map<string, TestNode>();
  private readonly logger: Logger;

  constructor(readonly config: RaftServiceConfig = testConfig()) {
    this.logger = process.env['SWARMTS_TEST_LOG'] === '1' ? new Logger({ level: 'debug', format: 'text', sink: (l) => process.stderr.write(l + '\n') }) : silentLogger();
  }

  dir(id: string): string {
    return join(this.root, id);
  }

  /** Starts a service for `id` on its directory (a new instance each time: a restart resumes from the WAL). */
  async start(id: string, bootstrapVoters: string[] = []): Promise<RaftService> {
    const sm = new ListStateMachine();
    const transport = this.network.transport(id, raftTransportConfig(), { logger: this.logger });
    const service = new RaftService(
      { id, dir: this.dir(id), bootstrapVoters, config: this.config },
      { transport, forwarder: this.hub.forwarder(id), stateMachine: sm, logger: this.logger.child(id) },
    );
    const node: TestNode = { service, sm, events: [] };
    service.onEvent((event) => node.events.push(event));
    await service.start();
    this.nodes.set(id, node);
    this.hub.register(id, service);
    return service;
  }

  async stop(id: string): Promise<void> {
    const node = this.nodes.get(id);
    if (node === undefined) return;
    this.hub.unregister(id, node.service);
    await node.service.stop();
  }

  service(id: string): RaftService {
    return this.node(id).service;
  }

  items(id: string): string[] {
    return this.node(id).sm.items;
  }

  sm(id: string): ListStateMachine {
    return this.node(id).sm;
  }

  events(id: string): RaftServiceEvent[] {
    return this.node(id).events;
  }

  /** Cuts (or restores) every link between the two groups, raft and forwarding alike. */
  partition(a: readonly string[], b: readonly string[], up = false): void {
    for (const x of a) {
      for (const y of b) {
        this.network.setLink(x, y, up);
        this.hub.setLink(x, y, up);
      }
    }
  }

  /** Waits until one of `ids` leads and all of them agree on it; returns it. */
  async waitForLeader(ids: readonly string[], timeoutMs = 10_000): Promise<string> {
    let leader: string | undefined;
    await waitFor(`one leader among ${ids.join(', ')}`, () => {
      leader = ids.find((id) => this.service(id).isLeader());
      return leader !== undefined && ids.every((id) => this.service(id).leader() === leader);
    }, { timeoutMs });
    return leader!;
  }

  /** Waits until every one of `ids` has applied `index`. */
  async waitApplied(ids: readonly string[], index: number, timeoutMs = 10_000): Promise<void> {
    await waitFor(`${ids.join(', ')} to apply index ${index}`, () => ids.every((id) => this.service(id).status().applied >= index), { timeoutMs });
  }

  async destroy(): Promise<void> {
    for (const id of this.nodes.keys()) await this.stop(id);
    rmSync(this.root, { recursive: true, force: true });
  }

  private node(id: string): TestNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`no test node ${id}`);
    return node;
  }
}
