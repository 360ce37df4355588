import type { NodeId } from './types.js';

/** One ReadIndex request waiting for a quorum to confirm the leader. */
export interface PendingRead {
  /** The commit index when the request arrived: the read may be served once it is applied. */
  index: number;
  /** Who asked: the leader itself or a follower that forwarded it. */
  from: NodeId;
  context: Uint8Array;
  /** Voters that answered a heartbeat carrying this request's context (the leader included). */
  acks: Set<NodeId>;
}

/**
 * The leader's ReadIndex requests (Raft thesis 6.4), in arrival order. A heartbeat round
 * carries the newest context; a quorum of answers to it confirms leadership for that
 * request and every older one, so they are released together.
 */
export class ReadOnly {
  private readonly pending = new Map<string, PendingRead>();
  private queue: string[] = [];

  size(): number {
    return this.queue.length;
  }

  /** Queues a request; a repeated context while the first is pending is ignored. */
  add(index: number, from: NodeId, context: Uint8Array): void {
    const key = contextKey(context);
    if (this.pending.has(key)) return;
    this.pending.set(key, { index, from, context, acks: new Set() });
    this.queue.push(key);
  }

  /** Records `from`'s answer to the heartbeat carrying `context`; the acks so far, if pending. */
  recvAck(from: NodeId, context: Uint8Array): Set<NodeId> | undefined {
    const read = this.pending.get(contextKey(context));
    if (read === undefined) return undefined;
    read.acks.add(from);
    return read.acks;
  }

  /** Releases the request with `context` and every older one, oldest first. */
  advance(context: Uint8Array): PendingRead[] {
    const key = contextKey(context);
    const at = this.queue.indexOf(key);
    if (at < 0) return [];
    const released = this.queue.slice(0, at + 1).map((k) => this.pending.get(k)!);
    for (const k of this.queue.slice(0, at + 1)) this.pending.delete(k);
    this.queue = this.queue.slice(at + 1);
    return released;
  }

  /** The newest pending context, carried by every heartbeat until confirmed. */
  lastContext(): Uint8Array | undefined {
    const key = this.queue[this.queue.length - 1];
    return key === undefined ? undefined : this.pending.get(key)!.context;
  }
}

/** A Map key for a byte string: one char per byte, so distinct contexts never collide. */
function contextKey(context: Uint8Array): string {
  let key = '';
  for (let i = 0; i < context.length; i++) key += String.fromCharCode(context[i]!);
  return key;
}
