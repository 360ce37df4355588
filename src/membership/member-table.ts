import type { Random } from '../core/random.js';
import type { Member, MemberStatus, NodeMeta } from './types.js';

/** A mutable row of the table; `members()` hands out frozen copies. */
export interface MemberEntry {
  meta: NodeMeta;
  status: MemberStatus;
  incarnation: number;
  statusChangedMs: number;
}

const isLive = (status: MemberStatus) => status === 'alive' || status === 'suspect';

/**
 * The member table: this node and every peer it knows, with a live count kept current on
 * every write and an id array for O(1) random sampling (gossip picks peers five times a
 * second, which must not cost a scan of the whole cluster).
 */
export class MemberTable {
  private readonly entries = new Map<string, MemberEntry>();
  private readonly peerIds: string[] = [];
  private readonly peerIndex = new Map<string, number>();
  private livePeers = 0;

  constructor(readonly selfId: string) {}

  get(id: string): MemberEntry | undefined {
    return this.entries.get(id);
  }

  /** Inserts or replaces a row; the only way rows change, so the counts stay right. */
  set(id: string, entry: MemberEntry): void {
    const before = this.entries.get(id);
    if (id !== this.selfId) {
      if (before === undefined) {
        this.peerIndex.set(id, this.peerIds.length);
        this.peerIds.push(id);
      } else if (isLive(before.status)) {
        this.livePeers--;
      }
      if (isLive(entry.status)) this.livePeers++;
    }
    this.entries.set(id, entry);
  }

  /** Forgets a peer (reaping). This node's own row is never removed. */
  delete(id: string): void {
    const entry = this.entries.get(id);
    if (entry === undefined || id === this.selfId) return;
    if (isLive(entry.status)) this.livePeers--;
    this.entries.delete(id);
    const index = this.peerIndex.get(id) as number;
    const last = this.peerIds.pop() as string;
    if (last !== id) {
      this.peerIds[index] = last;
      this.peerIndex.set(last, index);
    }
    this.peerIndex.delete(id);
  }

  /** Peers believed alive or suspect. */
  livePeerCount(): number {
    return this.livePeers;
  }

  /** Rows, this node's included: every member known, dead and left ones until reaped. */
  size(): number {
    return this.entries.size;
  }

  /** Every peer id, this node excluded, in no particular order. */
  peers(): readonly string[] {
    return this.peerIds;
  }

  /** Every row, this node's included. */
  rows(): IterableIterator<[string, MemberEntry]> {
    return this.entries.entries();
  }

  /**
   * Up to `count` distinct peers that `accept` approves, chosen at random (memberlist's
   * kRandomNodes: 3 * peers tries, so it stays cheap and may return fewer when most are refused).
   */
  sample(count: number, random: Random, accept: (id: string, entry: MemberEntry) => boolean): string[] {
    const chosen: string[] = [];
    const n = this.peerIds.length;
    for (let i = 0; i < 3 * n && chosen.length < count; i++) {
      const id = this.peerIds[random.int(n)] as string;
      if (chosen.includes(id)) continue;
      if (accept(id, this.entries.get(id) as MemberEntry)) chosen.push(id);
    }
    return chosen;
  }
}

/** A frozen copy of a row, safe to hand out. */
export function snapshotMember(entry: MemberEntry): Member {
  return Object.freeze({
    meta: entry.meta,
    status: entry.status,
    incarnation: entry.incarnation,
    statusChangedMs: entry.statusChangedMs,
  });
}
