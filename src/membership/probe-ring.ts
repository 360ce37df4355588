import type { Random } from '../core/random.js';

/**
 * SWIM's probe order: round-robin over a shuffled list of peers, reshuffled on each wrap.
 * Every live peer is probed once per round, so a failed one is found within one round,
 * and the shuffle keeps nodes from probing in lockstep. New peers go in at a random place
 * after the cursor, so they are probed this round (memberlist does the same).
 */
export class ProbeRing {
  private order: string[] = [];
  private cursor = 0;

  constructor(private readonly random: Random) {}

  /** Adds a newly learned peer to the current round. */
  add(id: string): void {
    const at = this.random.intBetween(this.cursor, this.order.length);
    this.order.splice(at, 0, id);
  }

  /**
   * The next peer to probe. `probeable` filters out peers that died or left since they were
   * queued; on a wrap the ring is rebuilt from `peers()` and shuffled. Undefined when no
   * peer qualifies.
   */
  next(probeable: (id: string) => boolean, peers: () => readonly string[]): string | undefined {
    for (let pass = 0; pass < 2; pass++) {
      while (this.cursor < this.order.length) {
        const id = this.order[this.cursor++] as string;
        if (probeable(id)) return id;
      }
      this.order = this.random.shuffle(peers().filter(probeable));
      this.cursor = 0;
    }
    return undefined;
  }
}
