/**
 * A binary min-heap under a caller's order. The scheduler keeps candidate nodes and spread
 * groups in one, so picking the best costs O(log n) instead of a scan of every node.
 * The order must be total (ties broken by id) so that the same input always gives the
 * same pick. Only the top's key may change, and only through `updateTop`.
 */
export class Heap<T> {
  private readonly items: T[];

  /** Builds the heap from `items` in O(n); the array is copied. */
  constructor(items: readonly T[], private readonly less: (a: T, b: T) => boolean) {
    this.items = items.slice();
    for (let i = (this.items.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  get size(): number {
    return this.items.length;
  }

  /** The least item, or undefined when empty. */
  peek(): T | undefined {
    return this.items[0];
  }

  /** Removes and returns the least item. */
  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  /** Restores the order after the top item's key changed in place. */
  updateTop(): void {
    this.siftDown(0);
  }

  private siftDown(start: number): void {
    const items = this.items;
    const n = items.length;
    const item = items[start]!;
    let at = start;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && this.less(items[right]!, items[left]!) ? right : left;
      if (!this.less(items[child]!, item)) break;
      items[at] = items[child]!;
      at = child;
    }
    items[at] = item;
  }
}
