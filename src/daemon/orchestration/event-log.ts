import type { ClusterEvent } from '../api-orchestration.js';

const retainedMax = 2000;

/**
 * The node's recent cluster events, and live followers of them: `follow(since)` yields the
 * retained events newer than `since`, then each new one, until the signal aborts. A
 * follower that falls far behind skips to the newest (its queue is bounded).
 */
export class EventLog {
  private readonly events: ClusterEvent[] = [];
  private readonly followers = new Set<(event: ClusterEvent) => void>();

  add(event: ClusterEvent): void {
    this.events.push(event);
    if (this.events.length > retainedMax) this.events.splice(0, this.events.length - retainedMax);
    for (const follower of this.followers) follower(event);
  }

  /** Hands `event` to the current followers without keeping it: a passing figure, not history. */
  announce(event: ClusterEvent): void {
    for (const follower of this.followers) follower(event);
  }

  /** `usage`: also the node usage samples announced while following. */
  async *follow(sinceMs: number, signal: AbortSignal, usage = false): AsyncGenerator<ClusterEvent> {
    const queue: ClusterEvent[] = this.events.filter((event) => event.time > sinceMs);
    let wake: (() => void) | undefined;
    const follower = (event: ClusterEvent) => {
      if (event.type === 'usage' && !usage) return;
      queue.push(event);
      if (queue.length > retainedMax) queue.splice(0, queue.length - retainedMax);
      wake?.();
    };
    const onAbort = () => wake?.();
    this.followers.add(follower);
    signal.addEventListener('abort', onAbort);
    try {
      while (!signal.aborted) {
        const next = queue.shift();
        if (next !== undefined) yield next;
        else await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      this.followers.delete(follower);
      signal.removeEventListener('abort', onAbort);
    }
  }
}
