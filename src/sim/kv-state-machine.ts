import { Packr } from 'msgpackr';
import { assert } from '../core/assert.js';
import type { KvInput, KvOutput } from './linearizability.js';

/**
 * The replicated key-value store the raft simulation drives: put, get and cas, applied
 * from committed entries. Each client's requests carry increasing ids and the store keeps
 * the last one per client, so a retried request is answered from the session and never
 * applied twice (the client-session scheme of the Raft thesis, section 6.3).
 */

/** What a client asks, as it travels in a log entry. */
export interface KvCommand {
  clientId: string;
  requestId: number;
  input: KvInput;
}

/** What applying a command gives: the output, or 'stale' for a request older than the client's last. */
export type KvResult = KvOutput | { kind: 'stale' };

/** What applying a command gave, and whose request it was. */
export interface Applied {
  clientId: string;
  requestId: number;
  result: KvResult;
}

const packr = new Packr({ useRecords: false, moreTypes: false, mapsAsObjects: true });

/** A command as entry data (msgpack). */
export function encodeCommand(command: KvCommand): Uint8Array {
  return packr.pack(command);
}

/** Entry data back to the command; the log only holds what encodeCommand wrote. */
export function decodeCommand(data: Uint8Array): KvCommand {
  return packr.unpack(data) as KvCommand;
}

/**
 * FNV-1a over a 32-bit state: a cheap running digest of everything applied, so two replicas
 * (or a replica and a snapshot) can be compared at an index without comparing whole stores.
 */
function fnv(hash: number, bytes: Uint8Array): number {
  let h = hash;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193) >>> 0;
  return h;
}

/** Folds a non-negative integer below 2^53 into the digest, four bytes at a time. */
function fnvNumber(hash: number, n: number): number {
  let h = hash;
  for (const word of [n >>> 0, Math.floor(n / 4294967296)]) {
    for (let shift = 0; shift < 32; shift += 8) h = Math.imul(h ^ ((word >>> shift) & 0xff), 0x01000193) >>> 0;
  }
  return h;
}

/** One replica's store. */
export class KvStateMachine {
  private data = new Map<string, string>();
  private sessions = new Map<string, { requestId: number; result: KvResult }>();
  private applied = 0;
  private runningDigest = 0x811c9dc5;

  /** Index of the last entry applied (or restored from a snapshot). */
  appliedIndex(): number {
    return this.applied;
  }

  /** The digest of every entry applied so far. */
  digest(): number {
    return this.runningDigest;
  }

  /**
   * Applies the entry at `index`: its command, when `data` holds one (raft's own empty
   * entries and configuration changes only advance the digest). Entries come in order.
   */
  apply(index: number, term: number, data: Uint8Array, isCommand: boolean): Applied | undefined {
    assert(index === this.applied + 1, `apply: entry ${index} after ${this.applied}`);
    this.applied = index;
    this.runningDigest = fnv(fnvNumber(fnvNumber(this.runningDigest, index), term), data);
    if (!isCommand || data.length === 0) return undefined;
    const { clientId, requestId, input } = decodeCommand(data);
    const session = this.sessions.get(clientId);
    if (session !== undefined && requestId <= session.requestId) {
      return { clientId, requestId, result: requestId === session.requestId ? session.result : { kind: 'stale' } };
    }
    const result = this.execute(input);
    this.sessions.set(clientId, { requestId, result });
    return { clientId, requestId, result };
  }

  /** The value of `key` now: for reads served outside the log (ReadIndex). */
  read(key: string): string | undefined {
    return this.data.get(key);
  }

  /** The result already recorded for a client's request, if it was the client's last. */
  sessionResult(clientId: string, requestId: number): KvResult | undefined {
    const session = this.sessions.get(clientId);
    return session?.requestId === requestId ? session.result : undefined;
  }

  private execute(input: KvInput): KvOutput {
    switch (input.kind) {
      case 'put':
        this.data.set(input.key, input.value);
        return { kind: 'put' };
      case 'get':
        return { kind: 'get', value: this.data.get(input.key) };
      case 'cas': {
        const swapped = this.data.get(input.key) === input.expected;
        if (swapped) this.data.set(input.key, input.value);
        return { kind: 'cas', swapped };
      }
    }
  }

  /** The whole store as snapshot data. */
  snapshot(): Uint8Array {
    return packr.pack({ applied: this.applied, digest: this.runningDigest, data: [...this.data], sessions: [...this.sessions] });
  }

  /** Replaces the store with a snapshot's. */
  restore(bytes: Uint8Array): void {
    const s = packr.unpack(bytes) as { applied: number; digest: number; data: [string, string][]; sessions: [string, { requestId: number; result: KvResult }][] };
    this.applied = s.applied;
    this.runningDigest = s.digest;
    this.data = new Map(s.data);
    this.sessions = new Map(s.sessions);
  }
}
