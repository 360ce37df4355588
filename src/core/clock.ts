/**
 * Time, injected. Pure cores never read the wall clock: they are handed a Clock, and the
 * simulator hands them a ManualClock it advances itself.
 */

/** A source of monotonic milliseconds. */
export interface Clock {
  /** Milliseconds on a monotonic scale; only differences are meaningful. */
  nowMs(): number;
}

/** The real clock: process monotonic time (performance.now), immune to wall-clock jumps. */
export class RealClock implements Clock {
  nowMs(): number {
    return performance.now();
  }
}

/**
 * Milliseconds since the epoch (Date.now): for times that other nodes read, such as the
 * task times in the replicated cluster state, which the leader compares with its own.
 */
export class WallClock implements Clock {
  nowMs(): number {
    return Date.now();
  }
}

/** A clock that moves only when told to: for tests and the simulator. */
export class ManualClock implements Clock {
  private currentMs: number;

  constructor(startMs = 0) {
    this.currentMs = startMs;
  }

  nowMs(): number {
    return this.currentMs;
  }

  /** Moves time forward; going backwards is a bug in the caller. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`ManualClock.advance: expected ms >= 0, got ${ms}`);
    this.currentMs += ms;
  }

  /** Jumps to an absolute time not earlier than now. */
  set(ms: number): void {
    if (ms < this.currentMs) throw new RangeError(`ManualClock.set: ${ms} is before now (${this.currentMs})`);
    this.currentMs = ms;
  }
}
