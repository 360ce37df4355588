import type { ManualClock } from '../core/clock.js';

/**
 * Timers, injected: the agent waits (health-check intervals and timeouts) only through
 * this interface, so tests drive it with `ManualTimers` and a ManualClock instead of
 * sleeping. The shape matches the simulator's EventLoop (`after`, `cancel`), which can
 * stand in for it directly.
 */
export interface Timers {
  /** Runs `action` once, `delayMs` from now; returns a handle for `cancel`. */
  after(delayMs: number, action: () => void): number;
  /** Cancels a timer that has not run yet; unknown or spent handles are ignored. */
  cancel(id: number): void;
}

/** Real timers, for the daemon. Unref'd: a pending health check never keeps the process alive. */
export class RealTimers implements Timers {
  private readonly pending = new Map<number, NodeJS.Timeout>();
  private nextId = 1;

  after(delayMs: number, action: () => void): number {
    const id = this.nextId++;
    const handle = setTimeout(() => {
      this.pending.delete(id);
      action();
    }, Math.max(0, delayMs));
    handle.unref();
    this.pending.set(id, handle);
    return id;
  }

  cancel(id: number): void {
    const handle = this.pending.get(id);
    if (handle === undefined) return;
    clearTimeout(handle);
    this.pending.delete(id);
  }
}

interface ManualTimer {
  atMs: number;
  seq: number;
  action: () => void;
}

/**
 * Timers that fire only when the test moves time with `advance`. Each due timer runs at
 * its own instant (the clock is set to it first), in due-time then scheduling order, and
 * the promises it starts are let settle before the next one runs, so a test reads like a
 * timeline with no real waiting.
 */
export class ManualTimers implements Timers {
  private timers: ManualTimer[] = [];
  private seq = 0;

  constructor(private readonly clock: ManualClock) {}

  after(delayMs: number, action: () => void): number {
    const seq = this.seq++;
    this.timers.push({ atMs: this.clock.nowMs() + Math.max(0, delayMs), seq, action });
    return seq;
  }

  cancel(id: number): void {
    this.timers = this.timers.filter((timer) => timer.seq !== id);
  }

  /** How many timers wait to run. */
  get pendingCount(): number {
    return this.timers.length;
  }

  /** Moves the clock `ms` forward, running every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const endMs = this.clock.nowMs() + ms;
    await settle();
    for (;;) {
      const next = this.nextDue(endMs);
      if (next === undefined) break;
      this.timers = this.timers.filter((timer) => timer !== next);
      this.clock.set(Math.max(next.atMs, this.clock.nowMs()));
      next.action();
      await settle();
    }
    this.clock.set(endMs);
    await settle();
  }

  private nextDue(endMs: number): ManualTimer | undefined {
    let best: ManualTimer | undefined;
    for (const timer of this.timers) {
      if (timer.atMs > endMs) continue;
      if (best === undefined || timer.atMs < best.atMs || (timer.atMs === best.atMs && timer.seq < best.seq)) best = timer;
    }
    return best;
  }
}

/** Rounds of the event loop `settle` lets pass: enough for a chain of in-memory awaits to finish. */
const settleRounds = 20;

/**
 * Lets pending promise chains run to completion (in-memory work only: a SimRuntime, a
 * health probe). Not a sleep: it yields to the event loop a fixed number of times.
 */
export async function settle(): Promise<void> {
  for (let i = 0; i < settleRounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
