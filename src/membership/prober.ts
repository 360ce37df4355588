import type { Random } from '../core/random.js';
import type { Awareness } from './awareness.js';
import type { MembershipConfig } from './config.js';
import type { MemberTable } from './member-table.js';
import { membershipProtocolVersion as v, type MemberUpdate, type MembershipMessage } from './messages.js';
import { ProbeRing } from './probe-ring.js';
import type { Suspicion } from './suspicion.js';

/** What the prober needs from the Membership that owns it. */
export interface ProberHost {
  readonly table: MemberTable;
  readonly awareness: Awareness;
  /** Running suspicions, read to pick last-chance probes and marked when probed. */
  readonly suspicions: ReadonlyMap<string, Suspicion>;
  send(to: string, message: MembershipMessage): void;
  /** Queued updates to ride on the next message. */
  piggyback(): MemberUpdate[];
  /** `target` answered neither directly nor through helpers: suspect it. */
  probeFailed(target: string, nowMs: number): void;
}

/** The probe in flight: one target per probe interval. */
interface Probe {
  readonly target: string;
  readonly seq: number;
  /** When the direct ping has failed and ping-reqs go out. */
  readonly indirectAtMs: number;
  /** When the probe has failed and the target becomes suspect; pushed back when the indirect step runs late. */
  endMs: number;
  indirectSent: boolean;
  expectedNacks: number;
  nacks: number;
}

/** A ping this node sends on another's behalf (ping-req): ack or nack goes back to the requester. */
interface Relay {
  readonly requester: string;
  readonly requesterSeq: number;
  readonly nackAtMs: number;
}

/** Most ping-reqs relayed at once; more are refused, so a flood cannot grow memory. */
export const relaysMax = 1024;

/**
 * SWIM's failure detector: each probe interval one peer is pinged; without an ack by the
 * probe timeout it is pinged once more and `indirectChecks` helpers are asked to ping-req
 * it; without any ack by the end of the interval it is reported to the host as failed.
 * The intervals stretch with the local health score (Lifeguard), which this class also
 * feeds: direct acks lower it, missing nacks raise it. It also relays ping-reqs for others.
 */
export class Prober {
  private readonly ring: ProbeRing;
  private readonly relays = new Map<number, Relay>();
  private probe: Probe | undefined;
  /** Peers to probe before the round's next, oldest first (see probeSoon); bounded by the table. */
  private readonly urgent = new Set<string>();
  private seq = 0;
  private nextProbeMs = 0;

  constructor(
    private readonly config: MembershipConfig,
    private readonly host: ProberHost,
    private readonly random: Random,
  ) {
    this.ring = new ProbeRing(random);
  }

  /** Schedules the first probe; a random phase keeps nodes started together out of lockstep. */
  start(nowMs: number): void {
    this.nextProbeMs = nowMs + this.random.float() * this.config.probeIntervalMs;
  }

  /** A newly learned or revived peer, to probe in the current round. */
  add(id: string): void {
    this.ring.add(id);
  }

  /**
   * Probes `id` next, as soon as no probe is in flight, instead of waiting for its turn in
   * the round: the shell's hint that the link to it broke. A hint only: `id` is suspected
   * only if that probe fails as any other would.
   */
  probeSoon(id: string, nowMs: number): void {
    if (this.nextProbeMs === Infinity) return;
    this.urgent.add(id);
    this.nextProbeMs = Math.min(this.nextProbeMs, nowMs);
  }

  /** Stops probing (this node left); relays still finish. */
  stop(): void {
    this.probe = undefined;
    this.nextProbeMs = Infinity;
  }

  /**
   * Runs the due steps of the current probe, starts the next, and nacks overdue relays.
   * When this node runs late (its event loop stalled past the probe timeout), the indirect
   * step still gets its full share of the interval from the moment it is actually taken:
   * otherwise the ping-reqs and the fallback ping would go out and the probe fail in the
   * same call, blaming the target for our own stall.
   */
  tick(nowMs: number): void {
    const probe = this.probe;
    if (probe !== undefined && !probe.indirectSent && nowMs >= probe.indirectAtMs) {
      probe.endMs = Math.max(probe.endMs, nowMs + (probe.endMs - probe.indirectAtMs));
      this.sendIndirect(probe);
    }
    if (probe !== undefined && nowMs >= probe.endMs) {
      this.probe = undefined;
      this.fail(probe, nowMs);
    }
    if (this.probe === undefined && nowMs >= this.nextProbeMs) this.startProbe(nowMs);
    for (const [seq, relay] of this.relays) {
      if (nowMs < relay.nackAtMs) continue;
      this.relays.delete(seq);
      this.host.send(relay.requester, { v, type: 'nack', seq: relay.requesterSeq });
    }
  }

  /** The earliest time `tick` has something to do. */
  nextWakeMs(): number {
    let wake = this.nextProbeMs;
    if (this.probe !== undefined) wake = Math.min(wake, this.probe.indirectSent ? this.probe.endMs : this.probe.indirectAtMs);
    for (const relay of this.relays.values()) wake = Math.min(wake, relay.nackAtMs);
    return wake;
  }

  /** An ack arrived: it ends our probe, or is forwarded to whoever asked us to relay. */
  onAck(seq: number): void {
    if (this.probe?.seq === seq) {
      // Only a direct ack counts as health: an indirect one says the path to the target is bad.
      if (!this.probe.indirectSent) this.host.awareness.apply(-1);
      this.probe = undefined;
      return;
    }
    const relay = this.relays.get(seq);
    if (relay === undefined) return;
    this.relays.delete(seq);
    this.host.send(relay.requester, { v, type: 'ack', seq: relay.requesterSeq, updates: this.host.piggyback() });
  }

  /** A helper could not reach our target either, but it can reach us: we are not the slow one. */
  onNack(seq: number): void {
    if (this.probe?.seq === seq) this.probe.nacks++;
  }

  /** Pings `target` for `requester`; the ack or, after probeTimeoutMs, a nack goes back. */
  relay(requester: string, requesterSeq: number, target: string, nowMs: number): void {
    if (this.relays.size >= relaysMax) return;
    const seq = ++this.seq;
    this.relays.set(seq, { requester, requesterSeq, nackAtMs: nowMs + this.config.probeTimeoutMs });
    this.host.send(target, { v, type: 'ping', seq, target, updates: this.host.piggyback() });
  }

  private startProbe(nowMs: number): void {
    const intervalMs = this.host.awareness.scaleMs(this.config.probeIntervalMs);
    this.nextProbeMs = nowMs + intervalMs;
    const table = this.host.table;
    const probeable = (id: string) => {
      const status = table.get(id)?.status;
      return status === 'alive' || status === 'suspect';
    };
    const target = this.urgentTarget(probeable) ?? this.expiringUnprobedSuspect(nowMs + intervalMs) ?? this.ring.next(probeable, () => table.peers());
    if (target === undefined) return;
    const suspicion = this.host.suspicions.get(target);
    if (suspicion !== undefined) suspicion.probedByUs = true;
    const seq = ++this.seq;
    this.host.send(target, { v, type: 'ping', seq, target, updates: [...this.buddy(target), ...this.host.piggyback()] });
    this.probe = {
      target,
      seq,
      indirectAtMs: nowMs + this.host.awareness.scaleMs(this.config.probeTimeoutMs),
      endMs: nowMs + intervalMs,
      indirectSent: false,
      expectedNacks: 0,
      nacks: 0,
    };
  }

  /** The oldest hinted peer that can still be probed; hints for others are dropped. */
  private urgentTarget(probeable: (id: string) => boolean): string | undefined {
    for (const id of this.urgent) {
      this.urgent.delete(id);
      if (probeable(id)) return id;
    }
    return undefined;
  }

  /**
   * A suspect whose suspicion ends before `byMs` and that this node has not probed since
   * the suspicion began. Probing it first is a last chance to hear its refutation (the ack
   * carries it) before declaring it dead: on a lossy network the refutation's gossip can miss
   * one node, and that node alone would then declare a live member dead. memberlist has no
   * such step; it costs nothing when the suspect is really dead, as the probe fails in time.
   */
  private expiringUnprobedSuspect(byMs: number): string | undefined {
    for (const [id, suspicion] of this.host.suspicions) {
      if (!suspicion.probedByUs && suspicion.deadlineMs <= byMs) return id;
    }
    return undefined;
  }

  /**
   * The direct ping went unanswered: ask helpers to try, and ping once more ourselves
   * (memberlist's TCP fallback ping, here over the same transport): a single lost packet
   * should not be enough to raise a suspicion.
   */
  private sendIndirect(probe: Probe): void {
    probe.indirectSent = true;
    const buddy = this.buddy(probe.target);
    this.host.send(probe.target, { v, type: 'ping', seq: probe.seq, target: probe.target, updates: buddy });
    const helpers = this.host.table.sample(this.config.indirectChecks, this.random, (id, entry) => id !== probe.target && entry.status === 'alive');
    probe.expectedNacks = helpers.length;
    // Helpers get our suspicion too: one that already knows the refutation corrects us at once.
    for (const helper of helpers) {
      this.host.send(helper, { v, type: 'ping-req', seq: probe.seq, target: probe.target, updates: [...buddy, ...this.host.piggyback()] });
    }
  }

  /**
   * Lifeguard's buddy system: a suspect hears of it from whoever probes it next, so it can
   * refute in time; the result leads the probe's updates. Empty unless `target` is suspect.
   */
  private buddy(target: string): MemberUpdate[] {
    const entry = this.host.table.get(target);
    if (entry?.status !== 'suspect') return [];
    return [{ kind: 'suspect', id: target, incarnation: entry.incarnation, from: this.host.table.selfId }];
  }

  /**
   * No ack in time. The health score rises by the nacks that did not come back (or by one
   * when nobody could be asked): if the helpers cannot reach us either, we are the slow
   * one (Lifeguard). Then the host suspects the target.
   */
  private fail(probe: Probe, nowMs: number): void {
    this.host.awareness.apply(probe.expectedNacks > 0 ? probe.expectedNacks - probe.nacks : 1);
    this.host.probeFailed(probe.target, nowMs);
  }
}
