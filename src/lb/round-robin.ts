/**
 * The userland proxy's backend choice: strict rotation, like `numgen inc` in the nftables
 * mode. Pure: no I/O and no randomness, so the order is testable and reproducible.
 */

/** A rotating cursor over a backend list that may change between picks. */
export class RoundRobin {
  private next = 0;

  /**
   * The backends to try for one new connection, in order: the one whose turn it is first,
   * then the others (to fall back on when a connect fails). Advances the turn by one.
   * Empty when there are no backends.
   */
  order(backends: readonly string[]): string[] {
    if (backends.length === 0) return [];
    const start = this.next % backends.length;
    this.next = (start + 1) % backends.length;
    return [...backends.slice(start), ...backends.slice(0, start)];
  }
}
