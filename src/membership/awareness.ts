/**
 * Lifeguard's local health multiplier (memberlist's awareness). A node that misses acks
 * and nacks is more likely slow itself than surrounded by dead peers, so it stretches
 * its own probe interval and timeouts instead of wrongly suspecting healthy members.
 * The score rises on evidence of trouble and falls with each clean probe.
 */
export class Awareness {
  private score = 0;

  /** `multiplierMax` bounds the scaling: the score stays in [0, multiplierMax - 1]. */
  constructor(private readonly multiplierMax: number) {}

  /** Adds `delta` (positive: trouble, negative: health), clamped to the allowed range. */
  apply(delta: number): void {
    this.score = Math.min(this.multiplierMax - 1, Math.max(0, this.score + delta));
  }

  /** The current score: 0 is healthy. */
  health(): number {
    return this.score;
  }

  /** `durationMs * (score + 1)`: the stretched interval or timeout. */
  scaleMs(durationMs: number): number {
    return durationMs * (this.score + 1);
  }
}
