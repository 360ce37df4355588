import type { MemberUpdate } from './messages.js';

/** An update waiting to be piggybacked, with how often it has gone out. */
interface Queued {
  readonly subject: string;
  readonly update: MemberUpdate;
  transmits: number;
  /** False once replaced by a newer update or sent often enough; dropped when next met. */
  live: boolean;
}

/** The member an update is about. */
export function updateSubject(update: MemberUpdate): string {
  return update.kind === 'alive' ? update.meta.id : update.id;
}

/**
 * memberlist's TransmitLimitedQueue: updates waiting to be piggybacked, each sent a limited
 * number of times, least-sent first so fresh news spreads before old news is repeated;
 * among equally sent ones, the most recently queued or sent first. It holds at most one
 * live update per member (a newer one replaces the older), so its size is bounded by the
 * member count.
 *
 * Updates sit in one stack per transmit count, so `take` costs what it returns rather
 * than a pass over the whole queue: it runs for every message sent, and while a few
 * hundred nodes join at once the queue is as long as the cluster.
 */
export class BroadcastQueue {
  private readonly items = new Map<string, Queued>();
  /** `stacks[n]` holds the updates sent n times, the next to go on top (last). */
  private readonly stacks: Queued[][] = [];
  /** Entries on the stacks that are no longer live, swept out when they outnumber the live. */
  private deadEntries = 0;

  /** Queues `update`, replacing whatever was queued about the same member. */
  enqueue(update: MemberUpdate): void {
    const subject = updateSubject(update);
    const replaced = this.items.get(subject);
    if (replaced !== undefined) this.retire(replaced);
    const item: Queued = { subject, update, transmits: 0, live: true };
    this.items.set(subject, item);
    this.stackOf(0).push(item);
  }

  /**
   * Up to `countMax` updates to piggyback on one message. Each counts as one transmission;
   * one sent `transmitLimit` times leaves the queue.
   */
  take(countMax: number, transmitLimit: number): MemberUpdate[] {
    const chosen: Queued[] = [];
    for (let n = 0; n < this.stacks.length && chosen.length < countMax; n++) {
      const stack = this.stacks[n] as Queued[];
      while (stack.length > 0 && chosen.length < countMax) {
        const item = stack.pop() as Queued;
        if (!item.live) {
          this.deadEntries--;
          continue;
        }
        if (item.transmits >= transmitLimit) {
          this.items.delete(item.subject);
          item.live = false;
          continue;
        }
        chosen.push(item);
      }
    }
    // Back on the stacks in reverse, so what went first this time stays ahead next time.
    for (let i = chosen.length - 1; i >= 0; i--) {
      const item = chosen[i] as Queued;
      item.transmits++;
      if (item.transmits >= transmitLimit) {
        this.items.delete(item.subject);
        item.live = false;
      } else {
        this.stackOf(item.transmits).push(item);
      }
    }
    return chosen.map((item) => item.update);
  }

  /** Updates still waiting. */
  size(): number {
    return this.items.size;
  }

  /** Marks a replaced entry dead where it sits; sweeps the stacks once dead ones dominate. */
  private retire(item: Queued): void {
    item.live = false;
    this.deadEntries++;
    if (this.deadEntries <= 2 * this.items.size + 64) return;
    for (let n = 0; n < this.stacks.length; n++) this.stacks[n] = (this.stacks[n] as Queued[]).filter((q) => q.live);
    this.deadEntries = 0;
  }

  private stackOf(transmits: number): Queued[] {
    while (this.stacks.length <= transmits) this.stacks.push([]);
    return this.stacks[transmits] as Queued[];
  }
}
