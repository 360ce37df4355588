import { SwarmError } from '../core/errors.js';
import type { Random } from '../core/random.js';
import { MinHeap } from './min-heap.js';

/**
 * A simulated network between named nodes, in virtual time. Every message is delayed by a
 * random amount (so messages reorder), may be dropped or duplicated, and never crosses a
 * partition or an isolated node's links. Every decision comes from the one injected Random,
 * so a seed replays the same deliveries in the same order.
 */

/** How the simulated network misbehaves. */
export interface SimNetworkConfig {
  /** Shortest one-way delay, ms. Default 1: a LAN round trip is a couple of ms. */
  delayMsMin: number;
  /** Longest one-way delay, ms (inclusive). Default 10; a wide range reorders more messages. */
  delayMsMax: number;
  /** Probability in [0, 1] that a message is lost, on every link. Default 0. */
  dropRate: number;
  /** Probability in [0, 1] that a message is delivered twice (with independent delays). Default 0. */
  duplicateRate: number;
  /**
   * Most messages in flight at once; a send beyond it is dropped, as a full socket buffer
   * would. Optional, default 1,000,000: only a runaway protocol reaches it.
   */
  inFlightMax?: number;
}

const defaultInFlightMax = 1_000_000;

/** A network that delays 1-10 ms and neither loses nor duplicates. */
export function defaultSimNetworkConfig(): SimNetworkConfig {
  return { delayMsMin: 1, delayMsMax: 10, dropRate: 0, duplicateRate: 0, inFlightMax: defaultInFlightMax };
}

/** Throws INVALID_CONFIG naming the first bad field. */
export function validateSimNetworkConfig(config: SimNetworkConfig): void {
  const fail = (field: string, expected: string, got: unknown): never => {
    throw new SwarmError('INVALID_CONFIG', `SimNetworkConfig.${field}: expected ${expected}, got ${String(got)}`);
  };
  if (!Number.isInteger(config.delayMsMin) || config.delayMsMin < 0) fail('delayMsMin', 'an integer >= 0', config.delayMsMin);
  if (!Number.isInteger(config.delayMsMax) || config.delayMsMax < config.delayMsMin) {
    fail('delayMsMax', `an integer >= delayMsMin (${config.delayMsMin})`, config.delayMsMax);
  }
  for (const field of ['dropRate', 'duplicateRate'] as const) {
    const rate = config[field];
    if (!(rate >= 0 && rate <= 1)) fail(field, 'a probability in [0, 1]', rate);
  }
  const inFlightMax = config.inFlightMax ?? defaultInFlightMax;
  if (!Number.isInteger(inFlightMax) || inFlightMax < 1) fail('inFlightMax', 'an integer >= 1', inFlightMax);
}

/** One message handed to its receiver. */
export interface Delivery<M> {
  from: string;
  to: string;
  message: M;
}

/** What the network did so far: for test assertions and simulation reports. */
export interface SimNetworkStats {
  sent: number;
  delivered: number;
  /** Lost to dropRate or a link's loss rate. */
  dropped: number;
  /** Refused by a partition or isolation, at send or at delivery time. */
  cut: number;
  duplicated: number;
  /** Refused because inFlightMax messages were already in flight. */
  overflowed: number;
}

interface InFlight<M> extends Delivery<M> {
  atMs: number;
  seq: number;
}

/** The simulated network. Generic in the message type so each protocol keeps its own. */
export class SimNetwork<M> {
  private readonly queue = new MinHeap<InFlight<M>>((a, b) => a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq));
  private seq = 0;
  /** Node -> its group while partitioned; nodes named in no group share group -1. */
  private groups: Map<string, number> | undefined;
  private readonly isolated = new Set<string>();
  private readonly linkLoss = new Map<string, number>();
  private readonly inFlightMax: number;
  private readonly counters: SimNetworkStats = { sent: 0, delivered: 0, dropped: 0, cut: 0, duplicated: 0, overflowed: 0 };

  constructor(
    private readonly random: Random,
    private readonly config: SimNetworkConfig = defaultSimNetworkConfig(),
  ) {
    validateSimNetworkConfig(config);
    this.inFlightMax = config.inFlightMax ?? defaultInFlightMax;
  }

  /**
   * Sends `message` at virtual time `nowMs`. It is lost now if the link is cut or the dice
   * say so; otherwise it arrives after a random delay unless the link is cut by then.
   */
  send(from: string, to: string, message: M, nowMs: number): void {
    this.counters.sent++;
    if (!this.connected(from, to)) {
      this.counters.cut++;
      return;
    }
    const loss = Math.max(this.config.dropRate, this.linkLoss.get(linkKey(from, to)) ?? 0);
    if (loss > 0 && this.random.chance(loss)) {
      this.counters.dropped++;
      return;
    }
    const copies = this.config.duplicateRate > 0 && this.random.chance(this.config.duplicateRate) ? 2 : 1;
    if (copies === 2) this.counters.duplicated++;
    for (let i = 0; i < copies; i++) {
      if (this.queue.size() >= this.inFlightMax) {
        this.counters.overflowed++;
        return;
      }
      const delayMs = this.random.intBetween(this.config.delayMsMin, this.config.delayMsMax);
      this.queue.push({ from, to, message, atMs: nowMs + delayMs, seq: this.seq++ });
    }
  }

  /** Every message due by `nowMs`, in delivery order (time, then send order). */
  deliverDue(nowMs: number): Delivery<M>[] {
    const out: Delivery<M>[] = [];
    for (let next = this.queue.peek(); next !== undefined && next.atMs <= nowMs; next = this.queue.peek()) {
      this.queue.pop();
      if (!this.connected(next.from, next.to)) {
        this.counters.cut++;
        continue;
      }
      this.counters.delivered++;
      out.push({ from: next.from, to: next.to, message: next.message });
    }
    return out;
  }

  /** When the earliest in-flight message is due, undefined when none is in flight. */
  nextDeliveryMs(): number | undefined {
    return this.queue.peek()?.atMs;
  }

  /** Messages in flight now. */
  inFlight(): number {
    return this.queue.size();
  }

  /**
   * Splits the network: nodes in different groups cannot talk. Nodes named in no group
   * form one more group together, so `partition([['a']])` cuts `a` off from the rest.
   * Replaces any earlier partition; isolations and link losses stay.
   */
  partition(groups: string[][]): void {
    const map = new Map<string, number>();
    groups.forEach((group, i) => {
      for (const node of group) {
        if (map.has(node)) throw new SwarmError('INVALID_ARGUMENT', `SimNetwork.partition: node ${node} is in two groups`);
        map.set(node, i);
      }
    });
    this.groups = map;
  }

  /** Restores every link: ends the partition, every isolation and every link loss. */
  heal(): void {
    this.groups = undefined;
    this.isolated.clear();
    this.linkLoss.clear();
  }

  /** Cuts every link to and from `node` until `heal()` or `rejoin(node)`. */
  isolate(node: string): void {
    this.isolated.add(node);
  }

  /** Ends `node`'s isolation (the partition, if any, still applies). */
  rejoin(node: string): void {
    this.isolated.delete(node);
  }

  /** Loses messages from `from` to `to` (one direction) with probability `rate`; 0 restores the link. */
  setLinkLoss(from: string, to: string, rate: number): void {
    if (!(rate >= 0 && rate <= 1)) throw new SwarmError('INVALID_ARGUMENT', `SimNetwork.setLinkLoss: rate must be in [0, 1], got ${rate}`);
    if (rate === 0) this.linkLoss.delete(linkKey(from, to));
    else this.linkLoss.set(linkKey(from, to), rate);
  }

  /** Drops every in-flight message to or from `node`: what a crash does to its sockets. */
  dropInFlight(node: string): void {
    const before = this.queue.size();
    this.queue.retain((m) => m.from !== node && m.to !== node);
    this.counters.cut += before - this.queue.size();
  }

  /** Whether a message from `from` to `to` would cross right now (loss aside). */
  connected(from: string, to: string): boolean {
    if (from === to) return true;
    if (this.isolated.has(from) || this.isolated.has(to)) return false;
    if (this.groups === undefined) return true;
    return (this.groups.get(from) ?? -1) === (this.groups.get(to) ?? -1);
  }

  /** A copy of the counters. */
  stats(): SimNetworkStats {
    return { ...this.counters };
  }
}

function linkKey(from: string, to: string): string {
  return `${from}\u0000${to}`;
}
