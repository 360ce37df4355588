import { assert } from '../core/assert.js';

/**
 * The last indexes of the append messages in flight to one follower, oldest first: a ring
 * buffer, so adding and freeing are O(1) per message and never allocate.
 */
export class Inflights {
  private readonly buffer: number[];
  private start = 0;
  private count = 0;

  constructor(readonly size: number) {
    assert(size >= 1, `inflights size ${size} must be at least 1`);
    this.buffer = new Array<number>(size).fill(0);
  }

  add(lastIndex: number): void {
    assert(!this.full(), 'cannot add to full inflights');
    this.buffer[(this.start + this.count) % this.size] = lastIndex;
    this.count++;
  }

  /** Frees every message whose last index is at or below `index`: the follower acked them. */
  freeLE(index: number): void {
    while (this.count > 0 && this.buffer[this.start]! <= index) {
      this.start = (this.start + 1) % this.size;
      this.count--;
    }
  }

  /** Frees the oldest message: a heartbeat answer says the follower is alive though the ack was lost. */
  freeFirstOne(): void {
    if (this.count === 0) return;
    this.start = (this.start + 1) % this.size;
    this.count--;
  }

  full(): boolean {
    return this.count === this.size;
  }

  length(): number {
    return this.count;
  }

  reset(): void {
    this.start = 0;
    this.count = 0;
  }
}

/**
 * How the leader sends to a follower. `probe`: one append at a time until we find where
 * the logs match. `replicate`: stream optimistically, up to maxInflightMsgs unacked.
 * `snapshot`: the follower needs a snapshot; nothing else is sent until it is acked or
 * times out.
 */
export type ProgressState = 'probe' | 'replicate' | 'snapshot';

/** The leader's knowledge of one follower's log. */
export class Progress {
  /** Highest index known to match the leader's log. */
  match = 0;
  /** Next index to send. */
  next: number;
  state: ProgressState = 'probe';
  /** In `probe`: an append is out and we wait for its answer (or a heartbeat answer). */
  probeSent = false;
  /** In `snapshot`: the index of the snapshot sent. */
  pendingSnapshot = 0;
  /** In `snapshot`: ticks since it was sent, for the retry. */
  snapshotTicks = 0;
  /** Heard from within the current check-quorum window. */
  recentActive = false;
  readonly inflights: Inflights;

  constructor(
    next: number,
    maxInflight: number,
    public isLearner: boolean,
  ) {
    this.next = next;
    this.inflights = new Inflights(maxInflight);
  }

  becomeProbe(): void {
    this.next = this.state === 'snapshot' ? Math.max(this.match + 1, this.pendingSnapshot + 1) : this.match + 1;
    this.state = 'probe';
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.inflights.reset();
  }

  /** The snapshot went unacknowledged: probe from what we know it holds, which resends it if needed. */
  snapshotTimedOut(): void {
    this.pendingSnapshot = 0;
    this.becomeProbe();
  }

  becomeReplicate(): void {
    this.next = this.match + 1;
    this.state = 'replicate';
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.inflights.reset();
  }

  becomeSnapshot(snapshotIndex: number): void {
    this.state = 'snapshot';
    this.probeSent = false;
    this.pendingSnapshot = snapshotIndex;
    this.snapshotTicks = 0;
    this.inflights.reset();
  }

  /** An ack up to `index`; returns whether `match` moved. */
  maybeUpdate(index: number): boolean {
    const updated = this.match < index;
    if (updated) {
      this.match = index;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, index + 1);
    return updated;
  }

  /**
   * A rejection of the append at `rejected`; `matchHint` is the highest index that may
   * match. Returns false for a stale rejection (one we already moved past).
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.probeSent = false;
    return true;
  }

  /** Whether sending must wait: a probe is out, the pipeline is full, or a snapshot is pending. */
  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent;
      case 'replicate':
        return this.inflights.full();
      case 'snapshot':
        return true;
    }
  }
}
