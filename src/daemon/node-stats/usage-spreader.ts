import type { Timers } from '../../agent/timers.js';
import type { Clock } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { defaultGossipTopicConfig, type GossipHandler, type GossipTopicConfig, type GossipTopicStats } from '../../p2p/gossip-topic.js';
import type { HostUsage } from './host-usage.js';
import { NodeUsageBoard, decodeNodeUsageGossip, defaultNodeUsageBoardConfig, nodeUsageTopic, nodeUsageVersion, type NodeUsageBoardConfig, type NodeUsageGossip } from './usage-board.js';

export interface NodeUsageSpreaderConfig extends NodeUsageBoardConfig {
  /** Between host measurements, ms. Default 2500: CPU is averaged over this window. */
  sampleIntervalMs: number;
  /** Between publications of the newest sample, ms. Default 5000; `staleAfterMs` is three of these. */
  publishIntervalMs: number;
}

export function defaultNodeUsageSpreaderConfig(): NodeUsageSpreaderConfig {
  return { ...defaultNodeUsageBoardConfig(), sampleIntervalMs: 2500, publishIntervalMs: 5000 };
}

/** Refuses a config whose periods would make every sample stale or spin the sampler. */
export function validateNodeUsageSpreaderConfig(config: NodeUsageSpreaderConfig): string[] {
  const problems: string[] = [];
  if (!(config.sampleIntervalMs >= 100)) problems.push(`sampleIntervalMs: expected >= 100, got ${config.sampleIntervalMs}`);
  if (!(config.publishIntervalMs >= config.sampleIntervalMs)) problems.push(`publishIntervalMs: expected >= sampleIntervalMs (${config.sampleIntervalMs}), got ${config.publishIntervalMs}`);
  if (!(config.staleAfterMs > config.publishIntervalMs)) problems.push(`staleAfterMs: expected > publishIntervalMs (${config.publishIntervalMs}), got ${config.staleAfterMs}`);
  if (!(Number.isSafeInteger(config.nodesMax) && config.nodesMax > 0)) problems.push(`nodesMax: expected a whole number > 0, got ${config.nodesMax}`);
  return problems;
}

/** The topic's config: members only, small messages. */
export function nodeUsageTopicConfig(isMember: (peerId: string) => boolean): GossipTopicConfig<NodeUsageGossip> {
  return { ...defaultGossipTopicConfig({ topic: nodeUsageTopic, version: nodeUsageVersion, decode: decodeNodeUsageGossip }), allowedSenders: isMember, messageBytesMax: 1024 };
}

/** What the spreader uses of a GossipTopic; the spreader starts and stops it. */
export interface NodeUsageTopic {
  start(): void;
  stop(): void;
  publish(message: NodeUsageGossip): Promise<unknown>;
  subscribe(handler: GossipHandler<NodeUsageGossip>): () => void;
  stats(): GossipTopicStats;
}

export interface NodeUsageSpreaderComponents {
  selfId: string;
  /** HostUsageSampler in the daemon. */
  sampler: { sample(): Promise<HostUsage | undefined> };
  topic: NodeUsageTopic;
  timers: Timers;
  /** Monotonic ms: when samples arrived, for staleness. */
  clock: Clock;
  logger: Logger;
  /** Told of every sample kept, this node's and the others', as it arrives (the dashboard's live figures). */
  onSample?: (nodeId: string, usage: HostUsage) => void;
}

/** Counters, for logs and tests; malformed gossip is counted by the topic (`rejectedMalformed`). */
export interface NodeUsageStats {
  samples: number;
  sampleErrors: number;
  publishErrors: number;
  topic: GossipTopicStats;
}

/**
 * Measures this host every `sampleIntervalMs`, publishes the newest measurement every
 * `publishIntervalMs` (each period afresh: gossip is lossy, and silence is what makes a
 * node's figure go stale elsewhere) and keeps every member's newest on a NodeUsageBoard,
 * its own included. One measurement at a time: the next is scheduled when one ends.
 */
export class NodeUsageSpreader {
  private readonly board: NodeUsageBoard;
  private readonly logger: Logger;
  private timer: number | undefined;
  private unsubscribe: (() => void) | undefined;
  private stopped = true;
  private latest: HostUsage | undefined;
  private lastPublishedMs: number | undefined;
  private failing = false;
  private readonly counters = { samples: 0, sampleErrors: 0, publishErrors: 0 };

  constructor(private readonly c: NodeUsageSpreaderComponents, private readonly config = defaultNodeUsageSpreaderConfig()) {
    const problems = validateNodeUsageSpreaderConfig(config);
    if (problems.length > 0) throw new RangeError(`NodeUsageSpreaderConfig: ${problems.join('; ')}`);
    this.board = new NodeUsageBoard(config);
    this.logger = c.logger.child('node-usage');
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.c.topic.start();
    this.unsubscribe = this.c.topic.subscribe((message, from) => {
      if (from !== this.c.selfId && this.board.record(from, message, this.c.clock.nowMs())) this.c.onSample?.(from, message);
    });
    // The first reading only primes the CPU counters; the first figure follows one interval later.
    void this.tick();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.c.timers.cancel(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
    this.c.topic.stop();
  }

  /** A node's usage (this node's own too), undefined when unknown or stale. */
  usageOf(nodeId: string): HostUsage | undefined {
    return this.board.usageOf(nodeId, this.c.clock.nowMs());
  }

  stats(): NodeUsageStats {
    return { ...this.counters, topic: this.c.topic.stats() };
  }

  private async tick(): Promise<void> {
    try {
      const usage = await this.c.sampler.sample();
      if (usage !== undefined) this.measured(usage);
      this.failing = false;
    } catch (err) {
      this.counters.sampleErrors++;
      // Once per run of failures: /proc does not heal between two ticks.
      if (!this.failing) this.logger.warn('host usage not measured', { error: errorMessage(err) });
      this.failing = true;
    }
    if (this.stopped) return;
    this.publishDue();
    this.timer = this.c.timers.after(this.config.sampleIntervalMs, () => void this.tick());
  }

  private measured(usage: HostUsage): void {
    this.counters.samples++;
    this.latest = usage;
    if (this.board.record(this.c.selfId, usage, this.c.clock.nowMs())) this.c.onSample?.(this.c.selfId, usage);
  }

  /** Publishes the newest sample once a period, never the same sample twice. */
  private publishDue(): void {
    const now = this.c.clock.nowMs();
    const latest = this.latest;
    if (latest === undefined) return;
    if (this.lastPublishedMs !== undefined && now - this.lastPublishedMs < this.config.publishIntervalMs) return;
    this.lastPublishedMs = now;
    this.latest = undefined;
    this.c.topic.publish({ v: 1, ...latest }).catch((err: unknown) => {
      this.counters.publishErrors++;
      this.logger.debug('node usage not gossiped', { error: errorMessage(err) });
    });
  }
}
