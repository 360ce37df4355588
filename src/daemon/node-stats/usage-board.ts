import { SwarmError } from '../../core/errors.js';
import type { HostUsage } from './host-usage.js';

/**
 * The wire message of the node-usage topic and what a node keeps of the others' samples.
 * Usage is actual state, so it travels by gossip only: each node publishes its newest
 * sample every period, and a sample nobody refreshed for `staleAfterMs` counts as unknown.
 */

export const nodeUsageTopic = '/swarmts/node-usage/1';
export const nodeUsageVersion = 1;

/** One node's newest measurement; the sender is the message's signed author. */
export interface NodeUsageGossip extends HostUsage {
  v: 1;
}

/** Above any real machine (10,000 cores), so a garbled figure is refused, not shown. */
const cpuMillicoresMax = 10_000_000;

function fail(what: string): never {
  throw new SwarmError('MALFORMED_MESSAGE', `${nodeUsageTopic}: ${what}`);
}

const isCount = (value: unknown, max: number): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= max;

/** Checks a decoded map and copies out only the known fields; MALFORMED_MESSAGE says which one is wrong. */
export function decodeNodeUsageGossip(value: Record<string, unknown>): NodeUsageGossip {
  if (!isCount(value['cpuMillicores'], cpuMillicoresMax)) fail(`cpuMillicores: expected a whole number 0-${cpuMillicoresMax}`);
  if (!isCount(value['memoryBytes'], Number.MAX_SAFE_INTEGER)) fail('memoryBytes: expected a whole number >= 0');
  if (!isCount(value['sampledAt'], Number.MAX_SAFE_INTEGER) || value['sampledAt'] === 0) fail('sampledAt: expected epoch ms > 0');
  return { v: 1, cpuMillicores: value['cpuMillicores'], memoryBytes: value['memoryBytes'], sampledAt: value['sampledAt'] };
}

export interface NodeUsageBoardConfig {
  /** A sample older than this (by its arrival on this node), ms, is unknown. Default 15000: three missed 5 s periods. */
  staleAfterMs: number;
  /** Most nodes remembered; a new node past it evicts a stale entry or is dropped. Default 4096, above any cluster we run. */
  nodesMax: number;
}

export function defaultNodeUsageBoardConfig(): NodeUsageBoardConfig {
  return { staleAfterMs: 15_000, nodesMax: 4096 };
}

/**
 * The newest sample of each node with the monotonic time it arrived. Pure: times are
 * passed in. `usageOf` answers only while the sample is fresh.
 */
export class NodeUsageBoard {
  private readonly entries = new Map<string, { usage: HostUsage; receivedMs: number }>();

  constructor(private readonly config = defaultNodeUsageBoardConfig()) {}

  /** Records `usage` as `nodeId`'s newest; false when the board is full of fresh entries. */
  record(nodeId: string, usage: HostUsage, receivedMs: number): boolean {
    if (!this.entries.has(nodeId) && this.entries.size >= this.config.nodesMax) {
      this.forgetStale(receivedMs);
      if (this.entries.size >= this.config.nodesMax) return false;
    }
    this.entries.set(nodeId, { usage: { cpuMillicores: usage.cpuMillicores, memoryBytes: usage.memoryBytes, sampledAt: usage.sampledAt }, receivedMs });
    return true;
  }

  /** `nodeId`'s usage if a sample arrived within `staleAfterMs` of `nowMs`. */
  usageOf(nodeId: string, nowMs: number): HostUsage | undefined {
    const entry = this.entries.get(nodeId);
    if (entry === undefined || nowMs - entry.receivedMs > this.config.staleAfterMs) return undefined;
    return { ...entry.usage };
  }

  /** Drops every stale entry (called when full; also cheap to call periodically). */
  forgetStale(nowMs: number): void {
    for (const [nodeId, entry] of this.entries) if (nowMs - entry.receivedMs > this.config.staleAfterMs) this.entries.delete(nodeId);
  }

  get size(): number {
    return this.entries.size;
  }
}
