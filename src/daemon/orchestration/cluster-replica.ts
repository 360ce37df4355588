import type { ClusterCommand, CommandResult } from '../../cluster/commands.js';
import { ClusterStore, type ClusterSnapshot } from '../../cluster/cluster-store.js';
import { SwarmError } from '../../core/errors.js';
import { decodeBody, encodeFrame } from '../../core/framing.js';
import type { StateMachine } from '../../consensus/state-machine.js';
import { decodeCommand } from './command-codec.js';

/** What applying one command on this node gave, and the command's place in the sequence. */
export interface AppliedCommand {
  seq: number;
  /** The command as committed, for passing on to others. */
  bytes: Uint8Array;
  command: ClusterCommand;
  result: CommandResult;
}

/** A replica change: one command applied, or the whole state replaced. */
export type ReplicaChange = { kind: 'applied'; applied: AppliedCommand } | { kind: 'restored'; seq: number };

/** The proposer's answer: the command's result and its sequence number, to wait for on other replicas. */
export interface ReplicaResult {
  seq: number;
  result: CommandResult;
}

const recentMax = 4096;
const snapshotBytesMax = 64 * 1024 * 1024;

/**
 * This node's copy of the committed cluster state. On managers raft drives it (it is the
 * RaftService's StateMachine); on workers the state feed does, in the same order. Every
 * applied command gets the next sequence number, counted the same on every replica
 * (snapshots carry it), so a worker knows exactly what it misses. Keeps the newest commands
 * for catching others up without a snapshot.
 */
export class ClusterReplica implements StateMachine {
  readonly store = new ClusterStore();
  private seqValue = 0;
  private readonly recent: Array<{ seq: number; bytes: Uint8Array }> = [];
  private readonly listeners = new Set<(change: ReplicaChange) => void>();

  get seq(): number {
    return this.seqValue;
  }

  onChange(listener: (change: ReplicaChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Raft's apply: a command that cannot be decoded throws before anything changes, on every replica alike. */
  apply(bytes: Uint8Array): ReplicaResult {
    const command = decodeCommand(bytes);
    const result = this.store.apply(command);
    const seq = ++this.seqValue;
    this.recent.push({ seq, bytes });
    if (this.recent.length > recentMax) this.recent.splice(0, this.recent.length - recentMax);
    this.emit({ kind: 'applied', applied: { seq, bytes, command, result } });
    return { seq, result };
  }

  /** The feed's apply: only the next command in sequence; false (and nothing done) otherwise. */
  applyNext(seq: number, bytes: Uint8Array): boolean {
    if (seq !== this.seqValue + 1) return false;
    this.apply(bytes);
    return true;
  }

  /** The commands after `seq`, when this replica still keeps them all. */
  commandsAfter(seq: number): Array<{ seq: number; bytes: Uint8Array }> | undefined {
    if (seq >= this.seqValue) return [];
    const first = this.recent[0];
    if (first === undefined || first.seq > seq + 1) return undefined;
    return this.recent.slice(seq + 1 - first.seq);
  }

  snapshot(): Uint8Array {
    return encodeFrame({ v: 1, seq: this.seqValue, state: this.store.exportSnapshot() }, snapshotBytesMax).subarray(4);
  }

  restore(data: Uint8Array): void {
    const value = decodeBody(data) as { v?: unknown; seq?: unknown; state?: ClusterSnapshot } | null;
    if (value?.v !== 1 || typeof value.seq !== 'number' || typeof value.state !== 'object' || value.state === null) {
      throw new SwarmError('MALFORMED_MESSAGE', 'cluster snapshot: expected {v: 1, seq, state}');
    }
    this.store.importSnapshot(value.state);
    this.seqValue = value.seq;
    this.recent.length = 0;
    this.emit({ kind: 'restored', seq: value.seq });
  }

  private emit(change: ReplicaChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
