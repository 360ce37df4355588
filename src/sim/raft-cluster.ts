import { SeededRandom, type Random } from '../core/random.js';
import { defaultRaftConfig, type RaftConfig } from '../raft/config.js';
import { SwarmError } from '../core/errors.js';
import type { ConfChange, Message } from '../raft/types.js';
import { EventLoop } from './event-loop.js';
import { KvClient, type ClientReply, type ClientRequest, type KvClientConfig } from './kv-client.js';
import type { KvInput, KvOutput, Operation } from './linearizability.js';
import { SimNetwork, type SimNetworkConfig } from './network.js';
import { RaftHost, type Outbound } from './raft-host.js';
import { RaftInvariants } from './raft-invariants.js';

/**
 * A raft cluster in one process: voters (RaftHost over MemoryWal), KV clients and the
 * simulated network between them, driven by one EventLoop in virtual time. Faults are
 * methods (crash, restart, partition, ...) that raft-faults.ts calls as the seed decides.
 */

/** What travels on the simulated network. */
export type SimMessage = { kind: 'raft'; message: Message } | ClientRequest | ClientReply;

/** How a simulated raft cluster is built. */
export interface RaftClusterConfig {
  /** Voters at bootstrap, named n1, n2, ... Default 3. */
  voters: number;
  /**
   * Nodes that run from the start outside the configuration (named after the voters), for
   * membership changes to add. Default 1.
   */
  spareNodes: number;
  /** Virtual ms per raft tick. Default 10, so electionTicks 10 is a 100-200 ms timeout. */
  tickMs: number;
  /** Overrides for every node's RaftConfig. */
  raft: Partial<RaftConfig>;
  network: SimNetworkConfig;
  /** Concurrent clients, named c1, c2, ... Default 3. */
  clients: number;
  client: KvClientConfig;
  /** Entries applied between snapshots. Default 20: small, so snapshots and compaction happen often. */
  snapshotEntries: number;
  /** Entries kept behind a snapshot for slow followers. Default 5. */
  compactLagEntries: number;
  /** Gets use ReadIndex instead of the log (RaftHostConfig.readIndexGets). */
  readIndexGets: boolean;
  /** A node that crashed by itself (mid-write, after a vote) restarts within this many ms. */
  selfCrashRestartMsMax: number;
}

/** The cluster, its clients and network, built from one seed. */
export class RaftCluster {
  readonly loop = new EventLoop();
  readonly network: SimNetwork<SimMessage>;
  readonly invariants = new RaftInvariants();
  readonly history: Operation<KvInput, KvOutput>[] = [];
  readonly hosts = new Map<string, RaftHost>();
  readonly clients = new Map<string, KvClient>();
  private readonly random: Random;

  constructor(
    readonly seed: number,
    readonly config: RaftClusterConfig,
  ) {
    this.random = new SeededRandom(seed);
    this.network = new SimNetwork<SimMessage>(this.random.fork(), config.network);
    this.loop.addSource({ nextDueMs: () => this.network.nextDeliveryMs(), runDue: (now) => this.deliver(now) });
    const ids = Array.from({ length: config.voters + config.spareNodes }, (_, i) => `n${i + 1}`);
    const voters = ids.slice(0, config.voters);
    for (const id of ids) {
      const raft = { ...defaultRaftConfig(id), ...config.raft, id };
      const host = new RaftHost(id, { raft, snapshotEntries: config.snapshotEntries, compactLagEntries: config.compactLagEntries, readIndexGets: config.readIndexGets }, {
        bootstrapConfState: { voters, learners: [] },
        random: this.random.fork(),
        invariants: this.invariants,
        send: (out) => this.sendFrom(id, out),
        onCrash: () => this.loop.after(this.random.int(config.selfCrashRestartMsMax + 1), () => this.restart(id)),
      });
      this.hosts.set(id, host);
    }
    for (let i = 1; i <= config.clients; i++) {
      const id = `c${i}`;
      const send = (from: string, to: string, request: ClientRequest) => this.network.send(from, to, request, this.loop.nowMs());
      this.clients.set(id, new KvClient(id, ids, config.client, this.loop, this.random.fork(), send, this.history));
    }
  }

  /** Node ids, in order. */
  ids(): string[] {
    return [...this.hosts.keys()];
  }

  host(id: string): RaftHost {
    return this.hosts.get(id)!;
  }

  /** Starts every node with its own tick phase, and every client. */
  start(): void {
    for (const host of this.hosts.values()) {
      host.start();
      this.scheduleTicks(host, this.random.int(this.config.tickMs));
    }
    for (const client of this.clients.values()) client.start();
  }

  private scheduleTicks(host: RaftHost, firstDelayMs: number): void {
    const tick = (): void => {
      if (host.isUp()) {
        host.tick();
        host.processReady();
      }
      this.loop.after(this.config.tickMs, tick);
    };
    this.loop.after(firstDelayMs, tick);
  }

  /** Ids of the nodes that are up. */
  upIds(): string[] {
    return this.ids().filter((id) => this.host(id).isUp());
  }

  /** The node that is leader in the highest term among up nodes, if any. */
  leader(): string | undefined {
    let best: { id: string; term: number } | undefined;
    for (const id of this.upIds()) {
      const status = this.host(id).node().status();
      if (status.role === 'leader' && (best === undefined || status.term > best.term)) best = { id, term: status.term };
    }
    return best?.id;
  }

  /**
   * Crashes `id`: its volatile state is gone. Messages already on the wire stay there:
   * those it sent still arrive, and those to it arrive if it is back up by then, as a
   * delayed packet would after a quick reboot.
   */
  crash(id: string): void {
    this.host(id).crash(this.random);
  }

  /**
   * Has the leader propose a membership change; returns why it was refused, if it was
   * (no leader, one change already pending, a change that makes no sense).
   */
  proposeConfChange(change: ConfChange): string | undefined {
    const leader = this.leader();
    if (leader === undefined) return 'no leader';
    try {
      this.host(leader).node().proposeConfChange(change);
    } catch (err) {
      if (err instanceof SwarmError) return err.message;
      throw err;
    }
    this.host(leader).processReady();
    return undefined;
  }

  /** Restarts `id` from its disk; a no-op when it is up. */
  restart(id: string): void {
    if (!this.host(id).isUp()) this.host(id).start();
  }

  private sendFrom(from: string, out: Outbound): void {
    const message: SimMessage = 'raft' in out ? { kind: 'raft', message: out.raft } : out.reply;
    this.network.send(from, out.to, message, this.loop.nowMs());
  }

  /** Hands every message due to its node or client; each node then handles one Ready batch. */
  private deliver(now: number): void {
    const touched = new Set<RaftHost>();
    for (const { from, to, message } of this.network.deliverDue(now)) {
      const host = this.hosts.get(to);
      if (host !== undefined) {
        if (!host.isUp()) continue;
        if (message.kind === 'raft') host.receiveRaft(message.message);
        else if (message.kind === 'request') host.receiveRequest(from, message);
        touched.add(host);
        continue;
      }
      if (message.kind === 'reply' || message.kind === 'notLeader') this.clients.get(to)?.receive(from, message);
    }
    for (const host of touched) host.processReady();
  }
}
