import { assert } from '../core/assert.js';
import { SeededRandom, type Random } from '../core/random.js';
import type { MembershipConfig } from '../membership/config.js';
import { Membership } from '../membership/membership.js';
import type { MembershipMessage } from '../membership/messages.js';
import type { MemberStatus, MembershipEvent, NodeMeta } from '../membership/types.js';
import { validateMembershipMessage } from '../membership/validate-message.js';
import { MinHeap } from './min-heap.js';
import { SimNetwork, type SimNetworkConfig } from './network.js';

/**
 * A whole membership cluster in one process, in virtual time, over a SimNetwork with
 * delays, loss, duplication and partitions, all drawn from one seed: the same seed
 * replays the same run exactly.
 */

/** How a simulated cluster is built. */
export interface MembershipClusterConfig {
  /** Seeds the network and every node; print it on failure to replay the run. */
  seed: number;
  /** Tuning shared by every node. */
  membership: MembershipConfig;
  network: SimNetworkConfig;
  /**
   * Deliver what nodes hand to `takeBroadcasts()` to every running node over the network,
   * as the gossipsub topic would. Off, the cluster runs on SWIM's own dissemination alone.
   */
  gossipsub: boolean;
}

/** An event as one node saw it. */
export interface ObservedEvent {
  readonly observer: string;
  readonly event: MembershipEvent;
}

/** The metadata a simulated node announces. */
export function simMeta(id: string): NodeMeta {
  return {
    id,
    name: id,
    addresses: [`/sim/${id}`],
    role: 'worker',
    labels: {},
    capacity: { cpuMillicores: 1000, memoryBytes: 1024 ** 3 },
    versions: { swarmts: 'sim' },
    admission: '',
  };
}

/**
 * How often, in virtual ms, `timesUntil` checks the invariants: a full check is O(N^2),
 * which at 300 nodes would cost more than the simulation itself if run at every step.
 */
const invariantCheckEveryMs = 1000;

/** A node's scheduled tick. */
interface Wake {
  readonly atMs: number;
  readonly id: string;
  readonly node: Membership;
  readonly version: number;
}

/** Drives Membership instances and the network between them. */
export class MembershipCluster {
  readonly network: SimNetwork<MembershipMessage>;
  readonly events: ObservedEvent[] = [];
  private readonly random: Random;
  private readonly nodes = new Map<string, Membership>();
  private now = 0;
  /**
   * Node wake-ups by time. Entries go stale when a node is called again (its version moves
   * on) or replaced; stale ones are skipped when they surface, which is cheaper than
   * scanning every node for the earliest wake-up on every step.
   */
  private readonly wakes = new MinHeap<Wake>((a, b) => a.atMs < b.atMs);
  private readonly versions = new Map<string, number>();
  /** Each node's own incarnation at the last invariant check: it must never go down. */
  private readonly lastIncarnations = new Map<Membership, number>();
  /** Nodes restarted below an incarnation others may still hold: invariant 2 waits for their refutation. */
  private readonly restartedLow = new Set<string>();
  private readonly leftIds = new Set<string>();
  private readonly started = new Set<string>();
  private nextInvariantCheckMs = 0;

  constructor(readonly config: MembershipClusterConfig) {
    this.random = new SeededRandom(config.seed);
    this.network = new SimNetwork<MembershipMessage>(this.random.fork(), config.network);
  }

  /** Virtual time now, in ms. */
  nowMs(): number {
    return this.now;
  }

  /** Ids of the running nodes, in start order. */
  ids(): string[] {
    return [...this.nodes.keys()];
  }

  /** The running node `id`; it must be running. */
  node(id: string): Membership {
    const node = this.nodes.get(id);
    assert(node !== undefined, `node ${id} is not running`);
    return node;
  }

  /** Starts node `id` (again, after a crash) and joins it through `seeds`. */
  start(id: string, seeds: readonly string[], incarnation = 0): Membership {
    assert(!this.nodes.has(id), `node ${id} is already running`);
    const node = new Membership(this.config.membership, simMeta(id), this.random.fork(), { incarnation });
    if (this.started.has(id)) this.restartedLow.add(id);
    this.started.add(id);
    this.leftIds.delete(id);
    this.nodes.set(id, node);
    node.join(seeds, this.now);
    this.flush(node);
    return node;
  }

  /** Stops `id` without a word: the others must detect it. Messages to it are lost. */
  crash(id: string): void {
    assert(this.nodes.delete(id), `node ${id} is not running`);
    this.network.dropInFlight(id);
  }

  /** Node `id` leaves gracefully; it keeps running (gossiping its leave) until crashed. */
  leave(id: string): void {
    const node = this.node(id);
    this.leftIds.add(id);
    node.leave(this.now);
    this.flush(node);
  }

  /** Node `id` announces new metadata. */
  updateMeta(id: string, meta: NodeMeta): void {
    const node = this.node(id);
    node.updateMeta(meta, this.now);
    this.flush(node);
  }

  /** The status `observer` holds for `subject`, undefined when it does not know it. */
  statusSeen(observer: string, subject: string): MemberStatus | undefined {
    return this.node(observer).member(subject)?.status;
  }

  /** Whether every running node in `observers` sees every one of `subjects` with `status`. */
  allSee(observers: readonly string[], subjects: readonly string[], status: MemberStatus): boolean {
    return observers.every((o) => subjects.every((s) => o === s || this.statusSeen(o, s) === status));
  }

  /** Runs the cluster until `untilMs` virtual time. */
  runUntil(untilMs: number): void {
    while (true) {
      const next = this.nextEventMs();
      if (next > untilMs) break;
      this.now = Math.max(this.now, next);
      this.step();
    }
    this.now = Math.max(this.now, untilMs);
  }

  /**
   * Runs until each of `observers` sees every one of `subjects` with `status`, for at most
   * `limitMs`; see timesUntil for the result.
   */
  timesUntilEachSees(
    observers: readonly string[],
    subjects: readonly string[],
    status: MemberStatus,
    limitMs: number,
    checkEveryMs = 50,
  ): Map<string, number> {
    return this.timesUntil(observers, (o) => this.allSee([o], subjects, status), limitMs, checkEveryMs);
  }

  /**
   * Runs until `reached(observer)` holds for each observer, for at most `limitMs`. Returns,
   * per observer, how long from now that took (checked every `checkEveryMs`); observers
   * that did not get there within the limit are missing from the map.
   */
  timesUntil(observers: readonly string[], reached: (observer: string) => boolean, limitMs: number, checkEveryMs = 50): Map<string, number> {
    const startMs = this.now;
    const times = new Map<string, number>();
    let pending = [...observers];
    while (true) {
      pending = pending.filter((o) => {
        if (!reached(o)) return true;
        times.set(o, this.now - startMs);
        return false;
      });
      if (this.now >= this.nextInvariantCheckMs) {
        this.checkInvariants();
        this.nextInvariantCheckMs = this.now + invariantCheckEveryMs;
      }
      if (pending.length === 0 || this.now - startMs >= limitMs) return times;
      this.runUntil(this.now + checkEveryMs);
    }
  }

  /**
   * Checks what must hold at any moment, and throws naming the seed when it does not:
   * 1. a running node sees itself alive (or left, once it left);
   * 2. nobody holds a running member at an incarnation above the member's own, since only
   *    the member raises it (skipped for a node restarted from 0 until it has caught up);
   * 3. a node's own incarnation never goes down.
   */
  checkInvariants(): void {
    const fail = (what: string) => assert(false, `seed ${this.config.seed} at ${this.now} ms: ${what}`);
    for (const [id, node] of this.nodes) {
      const self = node.member(id);
      const expected = this.leftIds.has(id) ? 'left' : 'alive';
      if (self?.status !== expected) fail(`${id} sees itself ${self?.status}, expected ${expected}`);
      const incarnation = node.incarnation();
      if (incarnation < (this.lastIncarnations.get(node) ?? 0)) fail(`${id}'s incarnation went down to ${incarnation}`);
      this.lastIncarnations.set(node, incarnation);
    }
    for (const [id, node] of this.nodes) {
      if (this.restartedLow.has(id)) {
        if ([...this.nodes.values()].every((other) => (other.member(id)?.incarnation ?? 0) <= node.incarnation())) this.restartedLow.delete(id);
        continue;
      }
      for (const [observer, other] of this.nodes) {
        const seen = other.member(id)?.incarnation ?? 0;
        if (seen > node.incarnation()) fail(`${observer} holds ${id} at incarnation ${seen} > its own ${node.incarnation()}`);
      }
    }
  }

  private nextEventMs(): number {
    const delivery = this.network.nextDeliveryMs() ?? Infinity;
    while (this.wakes.size() > 0) {
      const top = this.wakes.peek() as Wake;
      if (this.nodes.get(top.id) === top.node && top.version === this.versions.get(top.id)) return Math.min(delivery, top.atMs);
      this.wakes.pop();
    }
    return delivery;
  }

  private step(): void {
    for (const delivery of this.network.deliverDue(this.now)) {
      const node = this.nodes.get(delivery.to);
      if (node === undefined) continue;
      // Everything a node sends must pass the validator the real shell applies.
      node.receive(delivery.from, validateMembershipMessage(delivery.message), this.now);
      this.flush(node);
    }
    while (this.wakes.size() > 0 && (this.wakes.peek() as Wake).atMs <= this.now) {
      const wake = this.wakes.pop() as Wake;
      if (this.nodes.get(wake.id) !== wake.node || wake.version !== this.versions.get(wake.id)) continue;
      wake.node.tick(this.now);
      this.flush(wake.node);
    }
  }

  /** Sends what `node` produced and reschedules its wake-up: every call into a node ends here. */
  private flush(node: Membership): void {
    const version = (this.versions.get(node.id) ?? 0) + 1;
    this.versions.set(node.id, version);
    this.wakes.push({ atMs: Math.max(this.now, node.nextWakeMs()), id: node.id, node, version });
    for (const out of node.takeOutbox()) this.network.send(node.id, out.to, out.message, this.now);
    for (const broadcast of node.takeBroadcasts()) {
      if (!this.config.gossipsub) continue;
      for (const peer of this.nodes.keys()) if (peer !== node.id) this.network.send(node.id, peer, broadcast, this.now);
    }
    for (const event of node.takeEvents()) this.events.push({ observer: node.id, event });
  }
}
