import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { GossipMessage, MembershipMessage } from '../membership/messages.js';
import type { Membership } from '../membership/membership.js';
import type { Member, MembershipEvent, NodeMeta } from '../membership/types.js';
import type { Transport } from './transport.js';

/** Publish/subscribe of membership gossip: a GossipTopic, or an in-memory stand-in in tests. */
export interface MembershipBroadcaster {
  publish(message: GossipMessage): Promise<unknown>;
  subscribe(handler: (message: GossipMessage, from: string) => void): () => void;
}

/** Filters what peers send before Membership sees it (admission); undefined drops the message. */
export type MembershipGate = (from: string, message: MembershipMessage) => MembershipMessage | undefined;

export interface MembershipServiceComponents {
  transport: Transport<MembershipMessage>;
  broadcaster: MembershipBroadcaster;
  gate: MembershipGate;
  clock: Clock;
  logger: Logger;
}

/** The longest the service sleeps between ticks, whatever nextWakeMs says: a guard against a stuck timer. */
const tickCeilingMs = 1000;

/**
 * Drives the pure Membership core with real time: one timer set to `nextWakeMs()`, unicasts
 * over the transport, broadcasts on gossipsub, and every received message through the gate
 * first. Events go to the listeners in order.
 */
export class MembershipService {
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<(event: MembershipEvent) => void>();
  private readonly unsubscribers: Array<() => void> = [];
  private running = false;

  constructor(
    private readonly membership: Membership,
    private readonly components: MembershipServiceComponents,
  ) {}

  get id(): string {
    return this.membership.id;
  }

  /** Starts the transport and the gossip subscription, then joins through `seeds` (none for the first node). */
  async start(seeds: readonly string[]): Promise<void> {
    if (this.running) return;
    const { transport, broadcaster } = this.components;
    await transport.start();
    this.running = true;
    this.unsubscribers.push(
      transport.onMessage((from, message) => this.receive(from, message)),
      broadcaster.subscribe((message, from) => this.receive(from, message)),
    );
    this.membership.join(seeds, this.now());
    this.pump();
  }

  /** Leaves gracefully, keeps gossiping for `lingerMs` so the news gets out, then stops. */
  async leave(lingerMs: number): Promise<void> {
    if (!this.running) return;
    this.membership.leave(this.now());
    this.pump();
    await new Promise((resolve) => setTimeout(resolve, lingerMs));
    await this.stop();
  }

  /** Stops at once, as a crash would look to the others (they will suspect this node). */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearTimeout(this.timer);
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    await this.components.transport.stop();
  }

  /** The host's last connection to `peerId` closed: membership probes it next (a hint, see Membership.linkLost). */
  linkLost(peerId: string): void {
    if (!this.running) return;
    this.membership.linkLost(peerId, this.now());
    this.pump();
  }

  members(): Member[] {
    return this.membership.members();
  }

  /** Announces this node's new metadata (a new role, say) at a higher incarnation. */
  updateMeta(meta: NodeMeta): void {
    if (!this.running) return;
    this.membership.updateMeta(meta, this.now());
    this.pump();
  }

  member(id: string): Member | undefined {
    return this.membership.member(id);
  }

  incarnation(): number {
    return this.membership.incarnation();
  }

  /** Calls `listener` with every membership event until the returned function is called. */
  onEvent(listener: (event: MembershipEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private now(): number {
    return this.components.clock.nowMs();
  }

  private receive(from: string, message: MembershipMessage): void {
    if (!this.running) return;
    const admitted = this.components.gate(from, message);
    if (admitted === undefined) return;
    this.membership.receive(from, admitted, this.now());
    this.pump();
  }

  private tick(): void {
    if (!this.running) return;
    this.membership.tick(this.now());
    this.pump();
  }

  /**
   * Delivers the core's events first (a listener may teach the host a new member's
   * addresses before anything is sent to it), then sends what it produced, and sets
   * the timer for its next wake.
   */
  private pump(): void {
    const { transport, broadcaster, logger } = this.components;
    for (const event of this.membership.takeEvents()) {
      for (const listener of this.listeners) {
        try {
          listener(event);
        } catch (err) {
          logger.error('membership event listener failed', { type: event.type, error: errorMessage(err) });
        }
      }
    }
    for (const { to, message } of this.membership.takeOutbox()) transport.send(to, message);
    for (const message of this.membership.takeBroadcasts()) {
      broadcaster.publish(message).catch((err: unknown) => logger.debug('membership broadcast not published', { error: errorMessage(err) }));
    }
    if (!this.running) return;
    clearTimeout(this.timer);
    const delayMs = Math.min(tickCeilingMs, Math.max(0, this.membership.nextWakeMs() - this.now()));
    // The tick runs in the check phase, after the poll phase has read every socket: when the
    // process was stalled, an ack that arrived meanwhile is handled before the probe it
    // answers times out (a timer callback alone would run before any pending I/O).
    this.timer = setTimeout(() => setImmediate(() => this.tick()), delayMs);
  }
}
