import { assert } from '../core/assert.js';
import type { Random } from '../core/random.js';
import { Awareness } from './awareness.js';
import { BroadcastQueue, updateSubject } from './broadcast-queue.js';
import { validateMembershipConfig, type MembershipConfig } from './config.js';
import { MemberTable, snapshotMember, type MemberEntry } from './member-table.js';
import {
  membershipProtocolVersion as v,
  type GossipMessage,
  type MemberState,
  type MemberUpdate,
  type MembershipMessage,
  type OutboundMessage,
  type PushPullMessage,
} from './messages.js';
import { judgeUpdate, metaEqual, stateToUpdate, statusAfter } from './precedence.js';
import { Prober } from './prober.js';
import { Suspicion } from './suspicion.js';
import {
  expectedConfirmations,
  pushPullIntervalScaledMs,
  retransmitLimit,
  suspicionTimeoutMinMs,
} from './timing.js';
import type { Member, MembershipEvent, MembershipEventType, NodeMeta } from './types.js';

/** Most strangers remembered as recently synced (see syncStranger); more wait their turn. */
export const strangerSyncsMax = 1024;

/**
 * Most messages, broadcasts or events waiting to be taken. The shell drains them after
 * every call; reaching this is a shell bug and crashes loudly rather than eating memory.
 */
export const pendingOutputsMax = 1_000_000;

/** Options for a node's start that are not cluster-wide tuning. */
export interface MembershipOptions {
  /**
   * Incarnation to start at. A restarted node that remembers its last incarnation starts
   * above it and is alive again at once; one that does not starts at 0 and refutes when it
   * hears of its old self (a push-pull on join brings that news). Default 0.
   */
  incarnation?: number;
}

/**
 * SWIM membership with the Lifeguard refinements, as a pure state machine (memberlist's
 * protocol without its goroutines). Time comes in as `nowMs` on every call and must not
 * go backwards; randomness comes from the injected Random; nothing is sent directly.
 *
 * Contract with the shell: call `tick(now)` at `nextWakeMs()` (or more often), hand every
 * validated incoming message to `receive`, and after every call drain `takeOutbox()`
 * (send each to its peer), `takeBroadcasts()` (publish on the membership gossipsub topic;
 * what other nodes publish there comes in through `receive` like any message) and
 * `takeEvents()`.
 */
export class Membership {
  private readonly config: MembershipConfig;
  private readonly table: MemberTable;
  private readonly prober: Prober;
  private readonly queue = new BroadcastQueue();
  private readonly awareness: Awareness;
  private readonly suspicions = new Map<string, Suspicion>();
  /** Strangers we pushed our state to, and when: to sync each at most once per joinRetryIntervalMs. */
  private readonly strangerSyncs = new Map<string, number>();
  /** When each live member was learned of, or came back from dead or left: see newMemberGraceMs. */
  private readonly learnedAtMs = new Map<string, number>();
  private outbox: OutboundMessage[] = [];
  private broadcasts: GossipMessage[] = [];
  private events: MembershipEvent[] = [];
  private seeds: string[] = [];
  private lastNowMs = -Infinity;
  private started = false;
  /** Mirrors this node's own status being `left`, which never changes back. */
  private hasLeft = false;
  /** Between join() and the first push-pull answer: the seeds are retried until one answers. */
  private joining = false;
  private nextGossipMs = 0;
  private nextPushPullMs = 0;
  private nextReconnectMs = 0;
  private nextJoinRetryMs = 0;
  private nextReapMs = 0;

  constructor(config: MembershipConfig, self: NodeMeta, private readonly random: Random, options: MembershipOptions = {}) {
    this.config = validateMembershipConfig(config);
    this.table = new MemberTable(self.id);
    this.awareness = new Awareness(config.awarenessMaxMultiplier);
    this.prober = new Prober(
      this.config,
      {
        table: this.table,
        awareness: this.awareness,
        suspicions: this.suspicions,
        send: (to, message) => this.send(to, message),
        piggyback: () => this.piggyback(),
        probeFailed: (target, nowMs) => this.suspectAfterProbe(target, nowMs),
      },
      random,
    );
    const incarnation = options.incarnation ?? 0;
    assert(Number.isSafeInteger(incarnation) && incarnation >= 0, `incarnation must be a non-negative integer, got ${incarnation}`);
    this.table.set(self.id, { meta: self, status: 'alive', incarnation, statusChangedMs: 0 });
    this.queue.enqueue(this.selfAlive());
  }

  /** This node's peer id. */
  get id(): string {
    return this.table.selfId;
  }

  /** This node's current incarnation. */
  incarnation(): number {
    return this.self().incarnation;
  }

  /** The local health score (0 healthy, up to awarenessMaxMultiplier - 1). */
  health(): number {
    return this.awareness.health();
  }

  /** Every known member, this node included, dead and left ones until reaped. */
  members(): Member[] {
    return [...this.table.rows()].map(([, entry]) => snapshotMember(entry));
  }

  /** One member, or undefined when unknown (never heard of, or reaped). */
  member(id: string): Member | undefined {
    const entry = this.table.get(id);
    return entry === undefined ? undefined : snapshotMember(entry);
  }

  /** Members believed alive or suspect, this node included unless it left. */
  liveCount(): number {
    return this.table.livePeerCount() + (this.hasLeft ? 0 : 1);
  }

  /**
   * Joins through the given peers: a full-state push-pull with the first and up to
   * joinSeedsMax - 1 others, so this node learns the whole member list at once, and each of
   * them announces it on gossipsub. The seeds are retried every
   * joinRetryIntervalMs until one answers, and again whenever this node knows no live peer.
   */
  join(seedIds: readonly string[], nowMs: number): void {
    this.advanceTo(nowMs);
    this.seeds = seedIds.filter((id) => id !== this.id);
    this.joining = this.seeds.length > 0;
    this.pushToSeeds();
    this.broadcast(this.selfAlive());
    this.nextJoinRetryMs = nowMs + this.config.joinRetryIntervalMs;
  }

  /**
   * Leaves gracefully: marks this node left and tells every live peer directly (one small
   * message each, once), with gossip as the backup for what the network loses. Keep ticking
   * for a few gossip intervals before stopping, so the news gets out.
   * Leaving is final for this instance: to come back, start a new one at a higher incarnation.
   */
  leave(nowMs: number): void {
    this.advanceTo(nowMs);
    if (this.hasLeft) return;
    const self = this.self();
    this.hasLeft = true;
    this.table.set(this.id, { ...self, status: 'left', statusChangedMs: nowMs });
    const update: MemberUpdate = { kind: 'dead', id: this.id, incarnation: self.incarnation, from: this.id };
    this.queue.enqueue(update);
    this.broadcast(update);
    this.prober.stop();
    for (const peer of this.table.peers()) {
      const status = this.table.get(peer)?.status;
      if (status === 'alive' || status === 'suspect') this.send(peer, { v, type: 'gossip', updates: [update] });
    }
  }

  /** Announces new metadata with a higher incarnation, so it beats the old everywhere. */
  updateMeta(meta: NodeMeta, nowMs: number): void {
    this.advanceTo(nowMs);
    assert(meta.id === this.id, `updateMeta: a node cannot change its id (${this.id} -> ${meta.id})`);
    const self = this.self();
    if (this.hasLeft || metaEqual(meta, self.meta)) return;
    this.table.set(this.id, { ...self, meta, incarnation: self.incarnation + 1 });
    this.announceSelf();
  }

  /**
   * The shell lost its link to peer `id` (its last connection closed): probe it next rather
   * than in its turn, so a crashed member is suspected within one probe of its crash. It
   * is suspected only if that probe fails; a peer that is not alive or suspect is ignored.
   */
  linkLost(id: string, nowMs: number): void {
    this.advanceTo(nowMs);
    const status = this.table.get(id)?.status;
    if (id === this.id || this.hasLeft || (status !== 'alive' && status !== 'suspect')) return;
    this.prober.probeSoon(id, nowMs);
  }

  /** Runs every timer that is due: probes, suspicion timeouts, gossip, push-pull, reaping. */
  tick(nowMs: number): void {
    // Lifeguard: a tick that comes more than a probe interval after it was due means this
    // node's process was stalled (a loaded machine), so it is more likely the slow one than
    // its peers: its probes stretch for a while, as after a missed nack.
    // (A deadline that a confirmation moved into the past was due at the last call.)
    if (this.started && nowMs - Math.max(this.lastNowMs, this.nextWakeMs()) > this.config.probeIntervalMs) this.awareness.apply(1);
    this.advanceTo(nowMs);
    const leaving = this.hasLeft;
    this.prober.tick(nowMs);
    if (!leaving) this.runSuspicions(nowMs);
    if (nowMs >= this.nextGossipMs) {
      this.gossip(nowMs);
      this.nextGossipMs = nowMs + this.config.gossipIntervalMs;
    }
    if (!leaving) this.runAntiEntropy(nowMs);
    if (nowMs >= this.nextReapMs) {
      this.reap(nowMs);
      this.nextReapMs = nowMs + reapCheckIntervalMs;
    }
  }

  /**
   * The earliest time `tick` has something to do; the shell sets its one timer to it.
   * Before the first call of any kind it is 0: tick at once.
   */
  nextWakeMs(): number {
    let wake = Math.min(this.nextGossipMs, this.nextReapMs, this.prober.nextWakeMs());
    if (!this.hasLeft) {
      wake = Math.min(wake, this.nextPushPullMs, this.nextReconnectMs);
      if (this.needsSeeds()) wake = Math.min(wake, this.nextJoinRetryMs);
    }
    for (const suspicion of this.suspicions.values()) wake = Math.min(wake, suspicion.deadlineMs);
    return wake;
  }

  /**
   * Handles one message from peer `from` (the transport's authenticated sender). The
   * message must have passed validateMembershipMessage.
   */
  receive(from: string, message: MembershipMessage, nowMs: number): void {
    this.advanceTo(nowMs);
    this.handle(from, message, nowMs);
    if (!this.hasLeft && from !== this.id) {
      const status = this.table.get(from)?.status;
      if (status === undefined || status === 'dead') this.syncStranger(from, nowMs);
    }
  }

  private handle(from: string, message: MembershipMessage, nowMs: number): void {
    switch (message.type) {
      case 'ping': {
        this.applyAll(from, message.updates, nowMs);
        if (message.target !== this.id) return;
        const updates = this.piggyback();
        // A prober that still doubts us (buddy system) gets our refutation on the ack itself,
        // even when the queue has already sent it as often as the retransmit limit allows.
        if (message.updates.some((u) => u.kind !== 'alive' && u.id === this.id)) updates.unshift(this.selfAlive());
        this.send(from, { v, type: 'ack', seq: message.seq, updates });
        return;
      }
      case 'ping-req':
        this.applyAll(from, message.updates, nowMs);
        this.prober.relay(from, message.seq, message.target, nowMs);
        return;
      case 'ack':
        this.applyAll(from, message.updates, nowMs);
        this.prober.onAck(message.seq);
        return;
      case 'nack':
        this.prober.onNack(message.seq);
        return;
      case 'gossip':
        this.applyAll(from, message.updates, nowMs);
        return;
      case 'push-pull':
        this.mergeState(from, message.members, message.reply, nowMs);
        if (message.reply) this.joining = false;
        else this.sendPushPull(from, true);
        return;
    }
  }

  /** Messages to send, each to one peer. Ownership passes to the caller. */
  takeOutbox(): OutboundMessage[] {
    const out = this.outbox;
    this.outbox = [];
    return out;
  }

  /** Updates this node originated (its own alive, leave, suspicions, deaths), to publish on gossipsub. */
  takeBroadcasts(): GossipMessage[] {
    const out = this.broadcasts;
    this.broadcasts = [];
    return out;
  }

  /** Changes in the view of other members since the last call, oldest first. */
  takeEvents(): MembershipEvent[] {
    const out = this.events;
    this.events = [];
    return out;
  }

  /** Whether to (re)try the join seeds: no full state received yet, or nobody left to talk to. */
  private needsSeeds(): boolean {
    return this.seeds.length > 0 && (this.joining || this.table.livePeerCount() === 0);
  }

  private self(): MemberEntry {
    return this.table.get(this.id) as MemberEntry;
  }

  private selfAlive(): MemberUpdate {
    const self = this.self();
    return { kind: 'alive', incarnation: self.incarnation, meta: self.meta };
  }

  private advanceTo(nowMs: number): void {
    assert(Number.isFinite(nowMs) && nowMs >= this.lastNowMs, `time went backwards: ${nowMs} < ${this.lastNowMs}`);
    this.lastNowMs = nowMs;
    if (this.started) return;
    this.started = true;
    // Random first deadlines, so nodes started together do not probe and gossip in lockstep.
    this.prober.start(nowMs);
    this.nextGossipMs = nowMs + this.random.float() * this.config.gossipIntervalMs;
    this.nextPushPullMs = nowMs + this.random.float() * this.config.pushPullIntervalMs;
    this.nextReconnectMs = nowMs + this.random.float() * this.config.reconnectIntervalMs;
    this.nextReapMs = nowMs + reapCheckIntervalMs;
  }

  private send(to: string, message: MembershipMessage): void {
    assert(this.outbox.length < pendingOutputsMax, 'membership outbox is full: the shell must drain takeOutbox()');
    this.outbox.push({ to, message });
  }

  private broadcast(update: MemberUpdate): void {
    assert(this.broadcasts.length < pendingOutputsMax, 'membership broadcasts are full: the shell must drain takeBroadcasts()');
    this.broadcasts.push({ v, type: 'gossip', updates: [update] });
  }

  private emit(type: MembershipEventType, entry: MemberEntry, nowMs: number): void {
    assert(this.events.length < pendingOutputsMax, 'membership events are full: the shell must drain takeEvents()');
    this.events.push({ type, member: snapshotMember(entry), atMs: nowMs });
  }

  private piggyback(): MemberUpdate[] {
    // Scaled by every member we know, dead and left included, as memberlist does: news of a
    // death or a leave must not get fewer retransmissions because the cluster just shrank.
    return this.queue.take(this.config.updatesPerMessageMax, retransmitLimit(this.config.retransmitMult, this.table.size()));
  }

  /** Our probe of `target` failed: suspect it or, if it already is, confirm the suspicion independently. */
  private suspectAfterProbe(target: string, nowMs: number): void {
    const entry = this.table.get(target);
    if (entry === undefined || (entry.status !== 'alive' && entry.status !== 'suspect')) return;
    const learnedMs = this.learnedAtMs.get(target);
    if (entry.status === 'alive' && learnedMs !== undefined && nowMs - learnedMs < this.config.newMemberGraceMs) return;
    this.apply({ kind: 'suspect', id: target, incarnation: entry.incarnation, from: this.id }, nowMs);
  }

  /**
   * Applies gossiped updates from `sender`, and answers stale accusations: a suspect or dead
   * update about a member we know alive at a higher incarnation means the sender missed
   * the refutation, and would go on to declare a live member dead. It gets the refutation
   * back directly. memberlist relies on retransmission alone; in our 50-node simulation at
   * 10% loss that left a node without the news about once in two thousand refutations,
   * enough for a false death every few runs.
   */
  private applyAll(sender: string, updates: readonly MemberUpdate[], nowMs: number): void {
    let corrections: MemberUpdate[] | undefined;
    for (const update of updates) {
      this.apply(update, nowMs);
      const correction = this.correctionFor(update);
      if (correction !== undefined && sender !== this.id) (corrections ??= []).push(correction);
    }
    if (corrections !== undefined) {
      this.send(sender, { v, type: 'gossip', updates: corrections.slice(0, this.config.updatesPerMessageMax) });
    }
  }

  /** The newer alive update that refutes `update`, when `update` is a stale accusation. */
  private correctionFor(update: MemberUpdate): MemberUpdate | undefined {
    if (update.kind === 'alive') return undefined;
    const known = this.table.get(update.id);
    if (known === undefined || known.incarnation <= update.incarnation) return undefined;
    if (known.status !== 'alive' && known.status !== 'suspect') return undefined;
    return { kind: 'alive', incarnation: known.incarnation, meta: known.meta };
  }

  private apply(update: MemberUpdate, nowMs: number): void {
    const id = updateSubject(update);
    const known = this.table.get(id);
    const verdict = judgeUpdate(known, update, id === this.id, this.hasLeft);
    switch (verdict) {
      case 'ignore':
        return;
      case 'refute':
        this.refute(update.incarnation);
        return;
      case 'confirm':
        if (update.kind === 'suspect' && this.suspicions.get(id)?.confirm(update.from, nowMs)) {
          this.queue.enqueue(update);
          if (update.from === this.id) this.broadcast(update);
        }
        return;
      case 'apply':
        this.change(id, known, update, nowMs);
        return;
    }
  }

  private change(id: string, known: MemberEntry | undefined, update: MemberUpdate, nowMs: number): void {
    const status = statusAfter(update);
    const meta = update.kind === 'alive' ? update.meta : (known as MemberEntry).meta;
    const statusChangedMs = known?.status === status ? known.statusChangedMs : nowMs;
    const entry: MemberEntry = { meta, status, incarnation: update.incarnation, statusChangedMs };
    this.table.set(id, entry);
    this.queue.enqueue(update);
    this.suspicions.delete(id);
    if (status === 'suspect') this.startSuspicion(id, update.incarnation, update.kind === 'suspect' ? update.from : this.id, nowMs);
    if (update.kind === 'suspect' && update.from === this.id) this.broadcast(update);
    if (known === undefined || (known.status !== 'alive' && known.status !== 'suspect')) {
      if (status === 'alive') {
        this.prober.add(id);
        this.learnedAtMs.set(id, nowMs);
      }
    }
    const event = eventFor(known, entry);
    if (event !== undefined) this.emit(event, entry, nowMs);
  }

  private startSuspicion(id: string, incarnation: number, from: string, nowMs: number): void {
    const n = this.liveCount();
    const minMs = suspicionTimeoutMinMs(this.config.suspicionMult, n, this.config.probeIntervalMs);
    const maxMs = this.config.suspicionMaxTimeoutMult * minMs;
    const expected = expectedConfirmations(this.config.suspicionMult, n);
    this.suspicions.set(id, new Suspicion(incarnation, from, expected, minMs, maxMs, nowMs));
  }

  private runSuspicions(nowMs: number): void {
    for (const [id, suspicion] of this.suspicions) {
      if (nowMs < suspicion.deadlineMs) continue;
      const update: MemberUpdate = { kind: 'dead', id, incarnation: suspicion.incarnation, from: this.id };
      this.apply(update, nowMs);
      this.broadcast(update);
    }
  }

  /** Someone says we are suspect, dead or someone else: outbid them. Being doubted is also a sign we may be slow. */
  private refute(heardIncarnation: number): void {
    const self = this.self();
    this.table.set(this.id, { ...self, incarnation: Math.max(self.incarnation, heardIncarnation) + 1 });
    this.awareness.apply(1);
    this.announceSelf();
  }

  private announceSelf(): void {
    const update = this.selfAlive();
    this.queue.enqueue(update);
    this.broadcast(update);
  }

  private gossip(nowMs: number): void {
    if (this.queue.size() === 0) return;
    const targets = this.table.sample(this.config.gossipNodes, this.random, (_, entry) => {
      if (entry.status === 'alive' || entry.status === 'suspect') return true;
      return entry.status === 'dead' && nowMs - entry.statusChangedMs <= this.config.gossipToTheDeadMs;
    });
    for (const target of targets) {
      const updates = this.piggyback();
      if (updates.length === 0) return;
      this.send(target, { v, type: 'gossip', updates });
    }
  }

  private runAntiEntropy(nowMs: number): void {
    if (nowMs >= this.nextPushPullMs) {
      this.nextPushPullMs = nowMs + pushPullIntervalScaledMs(this.config.pushPullIntervalMs, this.liveCount());
      const [peer] = this.table.sample(1, this.random, (_, entry) => entry.status === 'alive');
      if (peer !== undefined) this.sendPushPull(peer, false);
    }
    if (nowMs >= this.nextReconnectMs) {
      this.nextReconnectMs = nowMs + this.config.reconnectIntervalMs;
      const dead = this.table.peers().filter((id) => this.table.get(id)?.status === 'dead');
      if (dead.length > 0) this.sendPushPull(this.random.pick(dead), false);
    }
    if (this.needsSeeds() && nowMs >= this.nextJoinRetryMs) {
      this.nextJoinRetryMs = nowMs + this.config.joinRetryIntervalMs;
      this.pushToSeeds();
    }
  }

  /**
   * A peer we do not know, or hold dead, is talking to us: it joined through someone else,
   * restarted, or is back from a partition, and the news has not reached us yet. A
   * push-pull with it settles who is right (it refutes if need be, and its answer carries
   * the refutation) instead of waiting for gossip or the periodic push-pull. One per peer
   * per joinRetryIntervalMs, and at most strangerSyncsMax remembered, so a chatty stranger
   * costs little.
   */
  private syncStranger(stranger: string, nowMs: number): void {
    const lastMs = this.strangerSyncs.get(stranger);
    if (lastMs !== undefined && nowMs - lastMs < this.config.joinRetryIntervalMs) return;
    if (lastMs === undefined && this.strangerSyncs.size >= strangerSyncsMax) {
      for (const [id, atMs] of this.strangerSyncs) {
        if (nowMs - atMs >= this.config.joinRetryIntervalMs) this.strangerSyncs.delete(id);
      }
      if (this.strangerSyncs.size >= strangerSyncsMax) return;
    }
    this.strangerSyncs.set(stranger, nowMs);
    this.sendPushPull(stranger, false);
  }

  /** Push-pull with the first seed and up to joinSeedsMax - 1 others picked at random. */
  private pushToSeeds(): void {
    const [first, ...rest] = this.seeds;
    if (first === undefined) return;
    this.sendPushPull(first, false);
    for (let i = 0; i < this.config.joinSeedsMax - 1 && rest.length > 0; i++) {
      const [picked] = rest.splice(this.random.int(rest.length), 1);
      this.sendPushPull(picked as string, false);
    }
  }

  private sendPushPull(to: string, reply: boolean): void {
    const members: MemberState[] = [];
    for (const [, entry] of this.table.rows()) {
      members.push({ meta: entry.meta, incarnation: entry.incarnation, status: entry.status });
    }
    const message: PushPullMessage = { v, type: 'push-pull', reply, members };
    this.send(to, message);
  }

  private mergeState(sender: string, members: readonly MemberState[], isReply: boolean, nowMs: number): void {
    const senderWas = this.table.get(sender)?.status;
    for (const state of members) this.apply(stateToUpdate(state, sender), nowMs);
    // A joiner's (or a returning member's) push-pull request: announce it on gossipsub at once,
    // so the cluster learns of it in one hop instead of over several rounds of gossip. Its
    // own announcement may be lost: its gossipsub has not yet learned who subscribes.
    const entry = this.table.get(sender);
    if (!isReply && sender !== this.id && senderWas !== 'alive' && senderWas !== 'suspect' && entry?.status === 'alive') {
      this.broadcast({ kind: 'alive', incarnation: entry.incarnation, meta: entry.meta });
    }
  }

  private reap(nowMs: number): void {
    if (this.table.peers().length === this.table.livePeerCount()) return;
    for (const id of [...this.table.peers()]) {
      const entry = this.table.get(id) as MemberEntry;
      const afterMs = entry.status === 'dead' ? this.config.deadReapAfterMs : entry.status === 'left' ? this.config.leftReapAfterMs : Infinity;
      if (nowMs - entry.statusChangedMs >= afterMs) {
        this.table.delete(id);
        this.learnedAtMs.delete(id);
      }
    }
  }
}

/** How often dead and left members are checked for reaping: reaping need not be punctual. */
const reapCheckIntervalMs = 1000;

/** The event a change is worth, if any: a refutation that changes nothing visible is not one. */
function eventFor(known: MemberEntry | undefined, entry: MemberEntry): MembershipEventType | undefined {
  if (known === undefined) return 'joined';
  if (entry.status !== 'alive') return entry.status;
  if (known.status !== 'alive') return 'alive-again';
  return metaEqual(known.meta, entry.meta) ? undefined : 'updated';
}
