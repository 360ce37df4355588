import { ManualClock } from '../core/clock.js';
import { MinHeap } from './min-heap.js';

/**
 * The simulator's event loop: virtual time jumps straight to the next thing that happens
 * (a timer, a message due on a network), runs everything due at that instant, and stops.
 * Nothing waits in real time, and ties run in a fixed order (timers by scheduling order,
 * then sources in the order they were added), so one seed gives one run.
 */

/** Something outside the timer queue with its own due times: a SimNetwork, say. */
export interface EventSource {
  /** When the source next has work, undefined when idle. */
  nextDueMs(): number | undefined;
  /** Does everything due by `nowMs`. */
  runDue(nowMs: number): void;
}

/** A handle to cancel a timer. */
export type TimerId = number;

interface Timer {
  atMs: number;
  seq: number;
  action: () => void;
}

/** The loop: a virtual clock, a timer queue and the sources it polls. */
export class EventLoop {
  readonly clock: ManualClock;
  private readonly timers = new MinHeap<Timer>((a, b) => a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq));
  private readonly cancelled = new Set<TimerId>();
  private readonly sources: EventSource[] = [];
  private seq = 0;

  constructor(startMs = 0) {
    this.clock = new ManualClock(startMs);
  }

  nowMs(): number {
    return this.clock.nowMs();
  }

  /** Runs `action` at virtual time `atMs` (now, if that has passed). */
  at(atMs: number, action: () => void): TimerId {
    const seq = this.seq++;
    this.timers.push({ atMs: Math.max(atMs, this.nowMs()), seq, action });
    return seq;
  }

  /** Runs `action` `delayMs` from now. */
  after(delayMs: number, action: () => void): TimerId {
    return this.at(this.nowMs() + delayMs, action);
  }

  cancel(id: TimerId): void {
    this.cancelled.add(id);
  }

  addSource(source: EventSource): void {
    this.sources.push(source);
  }

  /** When the next event is due, undefined when nothing is pending. */
  nextEventMs(): number | undefined {
    this.dropCancelled();
    let next = this.timers.peek()?.atMs;
    for (const source of this.sources) {
      const due = source.nextDueMs();
      if (due !== undefined && (next === undefined || due < next)) next = due;
    }
    return next;
  }

  /**
   * Jumps to the next event's time (never past `limitMs`) and runs everything due then.
   * Returns false, with the clock at `limitMs`, when nothing is due by the limit.
   */
  step(limitMs = Infinity): boolean {
    const next = this.nextEventMs();
    if (next === undefined || next > limitMs) {
      if (limitMs !== Infinity) this.clock.set(Math.max(this.nowMs(), limitMs));
      return false;
    }
    this.clock.set(Math.max(this.nowMs(), next));
    const now = this.nowMs();
    for (let timer = this.timers.peek(); timer !== undefined && timer.atMs <= now; timer = this.timers.peek()) {
      this.timers.pop();
      if (this.cancelled.delete(timer.seq)) continue;
      timer.action();
    }
    for (const source of this.sources) {
      const due = source.nextDueMs();
      if (due !== undefined && due <= now) source.runDue(now);
    }
    return true;
  }

  /** Runs every event due up to `untilMs`, then leaves the clock there. */
  runUntil(untilMs: number): void {
    while (this.step(untilMs));
  }

  private dropCancelled(): void {
    for (let top = this.timers.peek(); top !== undefined && this.cancelled.has(top.seq); top = this.timers.peek()) {
      this.timers.pop();
      this.cancelled.delete(top.seq);
    }
  }
}
