import { Packr } from 'msgpackr';
import { SwarmError } from '../../core/errors.js';
import type { Entry, EntryType, HardState } from '../types.js';

/**
 * The logical records of the write-ahead log and their msgpack encoding. The file WAL
 * frames them with checksums (record.ts); the memory WAL keeps them as objects. Both replay
 * them with the same LogReplay, so the two cannot disagree about what a log means.
 */

/** Where the log's snapshot is: its index and term (the data lives in its own file). */
export interface SnapshotRef {
  index: number;
  term: number;
}

/** What every segment starts with: the state so far, so older segments can be released. */
export interface HeaderRecord {
  kind: 'header';
  /** The segment's sequence number; it must match the file name. */
  seq: number;
  /** The checksum the previous segment ended with: it seeds this header's checksum. */
  prevCrc: number;
  hardState: HardState;
  snapshot: SnapshotRef | undefined;
}

/**
 * One `save()`: new entries and/or a new hard state. The entries replace every entry at or
 * after `entries[0].index` (raft overwriting an uncommitted suffix), so replay needs no
 * separate truncation record.
 */
export interface BatchRecord {
  kind: 'batch';
  hardState: HardState | undefined;
  entries: readonly Entry[];
}

/**
 * A snapshot became durable. `install` (one from the leader) restarts the log after it;
 * otherwise (local compaction) the entries after it stay.
 */
export interface SnapshotRecord {
  kind: 'snapshot';
  ref: SnapshotRef;
  install: boolean;
}

/** Every record the log holds. */
export type WalRecord = HeaderRecord | BatchRecord | SnapshotRecord;

const packr = new Packr({ useRecords: false, moreTypes: false, mapsAsObjects: true });

const entryTypes: EntryType[] = ['normal', 'confChange'];

type WireHardState = [number, string | null, number];
type WireEntry = [number, number, number, Uint8Array];

function hardStateToWire(hs: HardState): WireHardState {
  return [hs.term, hs.vote ?? null, hs.commit];
}

/** Encodes a record as a msgpack body (arrays, not maps: entries dominate the log's size). */
export function encodeRecord(record: WalRecord): Buffer {
  switch (record.kind) {
    case 'header':
      return packr.pack(['h', record.seq, record.prevCrc, hardStateToWire(record.hardState), record.snapshot ? [record.snapshot.index, record.snapshot.term] : null]);
    case 'batch':
      return packr.pack([
        'b',
        record.hardState ? hardStateToWire(record.hardState) : null,
        record.entries.map((e): WireEntry => [e.index, e.term, entryTypes.indexOf(e.type), e.data]),
      ]);
    case 'snapshot':
      return packr.pack(['s', record.ref.index, record.ref.term, record.install]);
  }
}

const bad = (what: string): never => {
  throw new SwarmError('CORRUPT_DATA', `malformed WAL record: ${what}`);
};

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

function hardStateFromWire(v: unknown): HardState {
  if (!Array.isArray(v) || v.length !== 3) return bad('hard state is not a 3-element array');
  const [term, vote, commit] = v as unknown[];
  if (!isCount(term) || !isCount(commit)) return bad('hard state term or commit is not a count');
  if (vote !== null && typeof vote !== 'string') return bad('hard state vote is neither null nor a string');
  return { term, vote: vote ?? undefined, commit };
}

function entryFromWire(v: unknown): Entry {
  if (!Array.isArray(v) || v.length !== 4) return bad('entry is not a 4-element array');
  const [index, term, type, data] = v as unknown[];
  if (!isCount(index) || index < 1 || !isCount(term)) return bad('entry index or term is not a count');
  const entryType = entryTypes[type as number];
  if (entryType === undefined) return bad(`unknown entry type ${String(type)}`);
  if (!(data instanceof Uint8Array)) return bad('entry data is not bytes');
  // msgpackr hands out Buffers; raft's contract is plain Uint8Array, so compare equal in tests.
  return { index, term, type: entryType, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

function refFromWire(index: unknown, term: unknown): SnapshotRef {
  if (!isCount(index) || !isCount(term)) return bad('snapshot index or term is not a count');
  return { index, term };
}

/** Decodes a body written by `encodeRecord`. Throws CORRUPT_DATA (without a location) on anything else. */
export function decodeRecord(body: Uint8Array): WalRecord {
  let v: unknown;
  try {
    v = packr.unpack(body);
  } catch (err) {
    throw new SwarmError('CORRUPT_DATA', 'malformed WAL record: not msgpack', { cause: err });
  }
  if (!Array.isArray(v)) return bad('not an array');
  const a = v as unknown[];
  switch (a[0]) {
    case 'h': {
      if (a.length !== 5 || !isCount(a[1]) || !isCount(a[2])) return bad('bad header');
      const snap = a[4];
      if (snap !== null && (!Array.isArray(snap) || snap.length !== 2)) return bad('bad header snapshot');
      return { kind: 'header', seq: a[1], prevCrc: a[2], hardState: hardStateFromWire(a[3]), snapshot: snap === null ? undefined : refFromWire(snap[0], snap[1]) };
    }
    case 'b': {
      if (a.length !== 3 || !Array.isArray(a[2])) return bad('bad batch');
      return { kind: 'batch', hardState: a[1] === null ? undefined : hardStateFromWire(a[1]), entries: (a[2] as unknown[]).map(entryFromWire) };
    }
    case 's':
      if (a.length !== 4 || typeof a[3] !== 'boolean') return bad('bad snapshot marker');
      return { kind: 'snapshot', ref: refFromWire(a[1], a[2]), install: a[3] };
    default:
      return bad(`unknown record kind ${JSON.stringify(a[0])}`);
  }
}

/** Encodes any value as msgpack with the same options: for snapshot file bodies. */
export function packValue(value: unknown): Buffer {
  return packr.pack(value);
}

/** Decodes a msgpack body; throws CORRUPT_DATA naming `what` on failure. */
export function unpackValue(body: Uint8Array, what: string): unknown {
  try {
    return packr.unpack(body);
  } catch (err) {
    throw new SwarmError('CORRUPT_DATA', `${what}: not msgpack`, { cause: err });
  }
}
