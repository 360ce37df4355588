import { remainingSuspicionMs } from './timing.js';

/**
 * One running suspicion of one member (Lifeguard's dynamic suspicion). It remembers who
 * has suspected the member, and its deadline falls from `maxMs` toward `minMs` as
 * distinct members confirm. The owner checks `deadlineMs` on tick and declares the member
 * dead once it has passed; a refutation simply discards the Suspicion.
 */
export class Suspicion {
  /** Incarnation the member is suspected at; a suspect update for it is a confirmation. */
  readonly incarnation: number;
  /** Whether this node has probed the suspect since the suspicion began (see Membership's last-chance probe). */
  probedByUs = false;
  private readonly suspectors = new Set<string>();
  private confirmations = 0;
  private deadline: number;

  constructor(
    incarnation: number,
    from: string,
    private readonly expected: number,
    private readonly minMs: number,
    private readonly maxMs: number,
    private readonly startMs: number,
  ) {
    this.incarnation = incarnation;
    this.suspectors.add(from);
    this.deadline = startMs + (expected < 1 ? minMs : maxMs);
  }

  /** When the member is to be declared dead, on the caller's clock. */
  get deadlineMs(): number {
    return this.deadline;
  }

  /**
   * Counts `from`'s suspicion and shortens the deadline. Returns true only for a new,
   * still useful confirmation: only those are worth gossiping on.
   */
  confirm(from: string, nowMs: number): boolean {
    if (this.confirmations >= this.expected || this.suspectors.has(from)) return false;
    this.suspectors.add(from);
    this.confirmations++;
    const remaining = remainingSuspicionMs(this.confirmations, this.expected, nowMs - this.startMs, this.minMs, this.maxMs);
    this.deadline = nowMs + remaining;
    return true;
  }
}
