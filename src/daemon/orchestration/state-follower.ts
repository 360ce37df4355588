import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { GossipTopic } from '../../p2p/gossip-topic.js';
import type { RpcService } from '../../p2p/rpc.js';
import type { ClusterReplica } from './cluster-replica.js';
import { decodePullResponse, statePullProtocol, type StateGossip } from './feed-messages.js';

/** How often a follower checks it is current even when gossip is quiet. */
const checkIntervalMs = 2000;
/**
 * The leader's feed sends a heartbeat every second; this long without any message means it
 * does not reach this node (no gossip path to the leader: managers only send it), so the
 * follower pulls at every check instead.
 */
const feedSilenceMs = 3000;
const pullTimeoutMs = 5000;

export interface StateFollowerComponents {
  replica: ClusterReplica;
  topic: GossipTopic<StateGossip>;
  rpc: RpcService;
  /** Managers to pull from, best first (the leader when known). */
  sources: (leader: string | undefined) => string[];
  logger: Logger;
}

/**
 * Keeps a node outside raft current: applies the leader's gossiped commands in sequence,
 * and pulls what it misses (a gap, a heartbeat ahead of it, or nothing heard yet) from a
 * manager: the missing commands, or a snapshot when they are no longer kept.
 */
export class StateFollower {
  private leaderId: string | undefined;
  private leaderTerm = 0;
  private knownSeq = 0;
  private pulled = false;
  private pulling: Promise<void> | undefined;
  private lastHeardMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly c: StateFollowerComponents) {}

  /** Whether this node has caught up with the cluster's state at least once. */
  get synced(): boolean {
    return this.pulled;
  }

  get leader(): string | undefined {
    return this.leaderId;
  }

  get term(): number {
    return this.leaderTerm;
  }

  start(): void {
    this.unsubscribe = this.c.topic.subscribe((message) => this.receive(message));
    this.lastHeardMs = Date.now();
    this.timer = setInterval(() => this.catchUp(Date.now() - this.lastHeardMs > feedSilenceMs), checkIntervalMs);
    this.catchUp();
  }

  stop(): void {
    this.unsubscribe?.();
    clearInterval(this.timer);
  }

  /** Resolves once the replica reached `seq` (or after `timeoutMs`), pulling if needed. */
  async reach(seq: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    this.knownSeq = Math.max(this.knownSeq, seq);
    while (this.c.replica.seq < seq && Date.now() < deadline) {
      this.catchUp();
      await (this.pulling ?? new Promise((resolve) => setTimeout(resolve, 50)));
    }
    return this.c.replica.seq >= seq;
  }

  private receive(message: StateGossip): void {
    this.lastHeardMs = Date.now();
    if (message.term >= this.leaderTerm) {
      this.leaderTerm = message.term;
      this.leaderId = message.leader;
    }
    this.knownSeq = Math.max(this.knownSeq, message.seq);
    if (message.kind === 'command' && this.pulled && this.c.replica.applyNext(message.seq, message.bytes)) return;
    if (message.seq > this.c.replica.seq) this.catchUp();
  }

  /** Pulls what is missing; with `evenIfCurrent`, also when nothing is known to be missing. */
  private catchUp(evenIfCurrent = false): void {
    if (this.pulling !== undefined || (!evenIfCurrent && this.pulled && this.c.replica.seq >= this.knownSeq)) return;
    this.pulling = this.pull().finally(() => (this.pulling = undefined));
  }

  private async pull(): Promise<void> {
    for (const source of this.c.sources(this.leaderId)) {
      try {
        const response = await this.c.rpc.request(source, statePullProtocol, { after: this.c.replica.seq }, { decode: decodePullResponse, timeoutMs: pullTimeoutMs });
        if ('snapshot' in response) this.c.replica.restore(response.snapshot);
        else for (const { seq, bytes } of response.commands) this.c.replica.applyNext(seq, bytes);
        this.knownSeq = Math.max(this.knownSeq, response.seq);
        this.pulled = true;
        return;
      } catch (err) {
        this.c.logger.debug('state pull failed', { from: source, error: errorMessage(err) });
      }
    }
  }
}
