import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError, SwarmError } from '../../core/errors.js';
import type { Entry, HardState, Snapshot } from '../types.js';
import { defaultWalConfig, validateWalConfig, type WalConfig } from './config.js';
import { openWal } from './file-wal.js';
import { readFrame } from './record.js';
import { snapshotFileName, writeSnapshotFile } from './snapshot-file.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(join(tmpdir(), 'swarmts-wal-'));
  dirs.push(dir);
  return dir;
}
test.after(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function entry(index: number, term: number, text = `e${index}.${term}`): Entry {
  return { index, term, type: 'normal', data: new TextEncoder().encode(text) };
}
function entries(from: number, to: number, term: number): Entry[] {
  return Array.from({ length: to - from + 1 }, (_, i) => entry(from + i, term));
}
function snapshot(index: number, term: number, text = `state@${index}`): Snapshot {
  return { meta: { index, term, confState: { voters: ['a', 'b', 'c'], learners: [] } }, data: new TextEncoder().encode(text) };
}
const hs = (term: number, commit: number, vote: string | undefined = 'a'): HardState => ({ term, vote, commit });
const small = (segmentBytesMax: number): WalConfig => ({ ...defaultWalConfig(), segmentBytesMax });

function segmentFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => n.startsWith('wal-')).sort();
}

/** Byte offsets of the records in a segment file, and its length. */
function recordOffsets(buf: Buffer): number[] {
  const offsets: number[] = [];
  let offset = 0;
  for (;;) {
    const raw = readFrame(buf, offset, 1 << 30);
    if (raw.status !== 'frame') return offsets;
    offsets.push(offset);
    offset = raw.endOffset;
  }
}

function expectCorrupt(fn: () => unknown, file: string, offset?: number): SwarmError {
  try {
    fn();
  } catch (err) {
    assert.ok(isSwarmError(err, 'CORRUPT_DATA'), `expected CORRUPT_DATA, got ${String(err)}`);
    assert.is((err as SwarmError).details?.['file'], file);
    if (offset !== undefined) assert.is((err as SwarmError).details?.['offset'], offset);
    return err as SwarmError;
  }
  return assert.unreachable('expected CORRUPT_DATA') as never;
}

test('config validation rejects bad values', () => {
  validateWalConfig(defaultWalConfig());
  const bad: Partial<WalConfig>[] = [{ segmentBytesMax: 0 }, { segmentBytesMax: 1.5 }, { recordBytesMax: 10 }, { snapshotsKept: 0 }];
  for (const overrides of bad) {
    assert.throws(() => validateWalConfig({ ...defaultWalConfig(), ...overrides }), (e: unknown) => isSwarmError(e, 'INVALID_CONFIG'), JSON.stringify(overrides));
  }
});

test('an empty directory opens as an empty log, and what was saved comes back after reopening', () => {
  const dir = tempDir();
  const first = openWal(dir);
  assert.equal(first.state, { hardState: { term: 0, vote: undefined, commit: 0 }, snapshot: undefined, entries: [] });
  assert.equal(first.warnings, []);
  first.wal.save(hs(1, 0), entries(1, 3, 1));
  first.wal.save(hs(1, 2), []);
  first.wal.save(undefined, entries(4, 4, 1));
  // The commit-only save is written but not fsynced (mustSync).
  assert.equal(first.wal.stats(), { ...first.wal.stats(), fsyncs: 2, entries: 4, records: 3 });
  first.wal.close();
  const again = openWal(dir);
  assert.equal(again.state, { hardState: hs(1, 2), snapshot: undefined, entries: entries(1, 4, 1) });
  assert.equal(again.warnings, []);
  again.wal.close();
});

test('a conflicting suffix is replaced, and replay yields the overwritten log', () => {
  const dir = tempDir();
  const { wal } = openWal(dir);
  wal.save(hs(1, 2), entries(1, 5, 1));
  wal.save(hs(2, 3, 'b'), entries(4, 6, 2));
  wal.save(undefined, entries(7, 7, 2));
  wal.save(hs(3, 3, 'c'), entries(5, 5, 3));
  wal.close();
  const { state } = openWal(dir);
  assert.equal(state.entries, [...entries(1, 3, 1), entry(4, 2), entry(5, 3)]);
  assert.equal(state.hardState, hs(3, 3, 'c'));
});

test('segments rotate at segmentBytesMax and replay across all of them', () => {
  const dir = tempDir();
  const { wal } = openWal(dir, small(300));
  for (let i = 1; i <= 40; i++) wal.save(hs(1, i - 1), [entry(i, 1)]);
  wal.close();
  assert.ok(segmentFiles(dir).length >= 4, `only ${segmentFiles(dir).length} segments`);
  const { state } = openWal(dir, small(300));
  assert.equal(state.entries, entries(1, 40, 1));
  assert.equal(state.hardState, hs(1, 39));
});

test('a segment is fsynced to its end before the next one starts, even after a commit-only save', () => {
  const dir = tempDir();
  const { wal } = openWal(dir, small(150));
  wal.save(hs(1, 0), entries(1, 2, 1));
  const before = wal.stats().fsyncs;
  wal.save(hs(1, 2), []);
  assert.is(wal.stats().fsyncs, before, 'a commit-only save below the segment limit is not fsynced');
  wal.save(hs(1, 2, 'a'), []);
  wal.save(hs(1, 3), Array.from({ length: 4 }, (_, i) => entry(3 + i, 1)));
  assert.ok(segmentFiles(dir).length >= 2);
  const commitOnly = openWal(dir, small(150));
  assert.equal(commitOnly.state.hardState, hs(1, 3));
  commitOnly.wal.close();
  wal.save(hs(1, 6), []);
  wal.save(hs(1, 6), entries(7, 20, 1));
  wal.close();
  assert.equal(openWal(dir, small(150)).state.entries, entries(1, 20, 1));
});

test('a torn last record is truncated and reported at every byte offset, earlier records intact', () => {
  const dir = tempDir();
  const { wal } = openWal(dir);
  wal.save(hs(1, 0), entries(1, 3, 1));
  wal.save(hs(1, 3), entries(4, 6, 1));
  wal.close();
  const [name] = segmentFiles(dir);
  const path = join(dir, name!);
  const whole = fs.readFileSync(path);
  const lastStart = recordOffsets(whole).at(-1)!;
  for (let cut = lastStart; cut < whole.length; cut++) {
    for (const zeroFill of [false, true]) {
      const torn = Buffer.concat([whole.subarray(0, cut), Buffer.alloc(zeroFill ? whole.length - cut : 0)]);
      fs.writeFileSync(path, torn);
      const opened = openWal(dir);
      assert.equal(opened.state.entries, entries(1, 3, 1), `cut at ${cut}`);
      assert.equal(opened.state.hardState, hs(1, 0));
      assert.is(opened.warnings.length, torn.length > lastStart ? 1 : 0, `cut at ${cut}: ${opened.warnings.join('; ')}`);
      if (torn.length > lastStart) assert.match(opened.warnings[0]!, `${path}:${lastStart}`);
      // The tail is gone from disk, so the next append continues the chain.
      opened.wal.save(undefined, [entry(4, 2)]);
      opened.wal.close();
      const reopened = openWal(dir);
      assert.equal(reopened.state.entries, [...entries(1, 3, 1), entry(4, 2)], `cut at ${cut}`);
      assert.equal(reopened.warnings, []);
      reopened.wal.close();
    }
  }
});

test('a final record whose body is damaged (sectors written out of order) is truncated as torn', () => {
  const dir = tempDir();
  const { wal } = openWal(dir);
  wal.save(hs(1, 0), entries(1, 2, 1));
  wal.save(hs(1, 2), entries(3, 4, 1));
  wal.close();
  const path = join(dir, segmentFiles(dir)[0]!);
  const whole = fs.readFileSync(path);
  const bodyStart = recordOffsets(whole).at(-1)! + 12;
  for (let at = bodyStart; at < whole.length; at++) {
    const damaged = Buffer.from(whole);
    damaged[at]! ^= 0x10;
    fs.writeFileSync(path, damaged);
    const opened = openWal(dir);
    assert.equal(opened.state.entries, entries(1, 2, 1), `flip at ${at}`);
    assert.is(opened.warnings.length, 1);
    opened.wal.close();
    fs.writeFileSync(path, whole);
  }
});

test('a flipped bit anywhere in an earlier record refuses to start, naming file and offset', () => {
  const dir = tempDir();
  const { wal } = openWal(dir);
  for (let i = 1; i <= 5; i++) wal.save(hs(1, i - 1), [entry(i, 1)]);
  wal.close();
  const path = join(dir, segmentFiles(dir)[0]!);
  const whole = fs.readFileSync(path);
  const offsets = recordOffsets(whole);
  const [start, end] = [offsets[2]!, offsets[3]!];
  for (let at = start; at < end; at++) {
    for (const bit of [0x01, 0x80]) {
      const damaged = Buffer.from(whole);
      damaged[at]! ^= bit;
      fs.writeFileSync(path, damaged);
      const err = expectCorrupt(() => openWal(dir), path, start);
      assert.match(err.message, `${path} is corrupt at byte ${start}`);
    }
  }
  fs.writeFileSync(path, whole);
  assert.equal(openWal(dir).state.entries, entries(1, 5, 1));
});

test('a torn record in a segment that is not the last refuses to start', () => {
  const dir = tempDir();
  const { wal } = openWal(dir, small(200));
  for (let i = 1; i <= 20; i++) wal.save(hs(1, 0), [entry(i, 1)]);
  wal.close();
  const path = join(dir, segmentFiles(dir)[1]!);
  const buf = fs.readFileSync(path);
  fs.writeFileSync(path, buf.subarray(0, buf.length - 3));
  expectCorrupt(() => openWal(dir, small(200)), path);
});

test('a missing segment in the sequence refuses to start, naming it', () => {
  const dir = tempDir();
  const { wal } = openWal(dir, small(200));
  for (let i = 1; i <= 20; i++) wal.save(hs(1, 0), [entry(i, 1)]);
  wal.close();
  const names = segmentFiles(dir);
  assert.ok(names.length >= 4);
  fs.unlinkSync(join(dir, names[2]!));
  const err = expectCorrupt(() => openWal(dir, small(200)), join(dir, names[2]!), 0);
  assert.match(err.message, 'is missing');
});

test('a missing oldest segment is found by the hole it leaves in the log', () => {
  const dir = tempDir();
  const { wal } = openWal(dir, small(200));
  for (let i = 1; i <= 20; i++) wal.save(hs(1, 0), [entry(i, 1)]);
  wal.close();
  fs.unlinkSync(join(dir, segmentFiles(dir)[0]!));
  assert.throws(() => openWal(dir, small(200)), (e: unknown) => isSwarmError(e, 'CORRUPT_DATA') && /hole/.test((e as Error).message));
});

test('compaction keeps later entries, releases covered segments, and survives a restart', () => {
  const dir = tempDir();
  const config = small(250);
  const { wal } = openWal(dir, config);
  for (let i = 1; i <= 30; i++) wal.save(hs(2, i - 1), [entry(i, 2)]);
  const before = segmentFiles(dir).length;
  wal.compact(snapshot(20, 2));
  assert.ok(segmentFiles(dir).length < before, `segments ${before} -> ${segmentFiles(dir).length}`);
  wal.save(hs(2, 30), [entry(31, 2)]);
  wal.close();
  const { state, warnings, wal: again } = openWal(dir, config);
  assert.equal(warnings, []);
  assert.equal(state.snapshot, snapshot(20, 2));
  assert.equal(state.entries, entries(21, 31, 2));
  assert.equal(state.hardState, hs(2, 30));
  assert.throws(() => again.compact(snapshot(20, 2)), (e: unknown) => isSwarmError(e, 'INVALID_ARGUMENT'));
  again.compact(snapshot(31, 2));
  again.close();
  assert.equal(openWal(dir, config).state, { hardState: hs(2, 30), snapshot: snapshot(31, 2), entries: [] });
});

test('an installed snapshot restarts the log after it, dropping stale entries beyond it', () => {
  const dir = tempDir();
  const { wal } = openWal(dir, small(250));
  wal.save(hs(1, 4), entries(1, 10, 1));
  wal.installSnapshot(snapshot(8, 3));
  wal.save(hs(3, 8), []);
  wal.close();
  const first = openWal(dir, small(250));
  assert.equal(first.state.entries, []);
  assert.equal(first.state.snapshot, snapshot(8, 3));
  assert.equal(first.state.hardState, hs(3, 8));
  first.wal.save(hs(3, 9), entries(9, 9, 3));
  first.wal.close();
  assert.equal(openWal(dir, small(250)).state.entries, entries(9, 9, 3));
  assert.is(segmentFiles(dir).length, 1);
});

test('only snapshotsKept snapshot files remain', () => {
  const dir = tempDir();
  const { wal } = openWal(dir, { ...defaultWalConfig(), snapshotsKept: 2 });
  wal.save(hs(1, 9), entries(1, 9, 1));
  for (const index of [3, 5, 7, 9]) wal.compact(snapshot(index, 1));
  assert.equal(fs.readdirSync(dir).filter((n) => n.endsWith('.snap')).sort(), [snapshotFileName({ index: 7, term: 1 }), snapshotFileName({ index: 9, term: 1 })]);
  wal.close();
});

test('a snapshot written just before a crash, never recorded in the log, is removed and reported', () => {
  const dir = tempDir();
  const { wal } = openWal(dir);
  wal.save(hs(1, 5), entries(1, 6, 1));
  wal.close();
  writeSnapshotFile(dir, snapshot(5, 1), defaultWalConfig().recordBytesMax);
  fs.writeFileSync(join(dir, 'wal-0000000000000001.log.tmp'), 'half a segment');
  const { state, warnings } = openWal(dir);
  assert.is(state.snapshot, undefined);
  assert.equal(state.entries, entries(1, 6, 1));
  assert.is(warnings.length, 2, warnings.join('; '));
  assert.equal(fs.readdirSync(dir), ['wal-0000000000000000.log']);
});

test('a damaged or missing snapshot file refuses to start', () => {
  const dir = tempDir();
  const { wal } = openWal(dir);
  wal.save(hs(1, 5), entries(1, 6, 1));
  wal.compact(snapshot(5, 1));
  wal.close();
  const path = join(dir, snapshotFileName({ index: 5, term: 1 }));
  const good = fs.readFileSync(path);
  const damaged = Buffer.from(good);
  damaged[damaged.length - 2]! ^= 1;
  fs.writeFileSync(path, damaged);
  expectCorrupt(() => openWal(dir), path);
  fs.unlinkSync(path);
  expectCorrupt(() => openWal(dir), path);
  fs.writeFileSync(path, good);
  assert.equal(openWal(dir).state.snapshot, snapshot(5, 1));
});

test('a directory that cannot be created is IO_ERROR', () => {
  const file = join(tempDir(), 'a-file');
  fs.writeFileSync(file, 'not a directory');
  assert.throws(() => openWal(join(file, 'wal')), (e: unknown) => isSwarmError(e, 'IO_ERROR'));
});

test('snapshots without any segment refuse to start', () => {
  const dir = tempDir();
  writeSnapshotFile(dir, snapshot(5, 1), defaultWalConfig().recordBytesMax);
  assert.throws(() => openWal(dir), (e: unknown) => isSwarmError(e, 'CORRUPT_DATA'));
});

test('after an I/O failure every later call fails', () => {
  const dir = tempDir();
  const { wal } = openWal(dir);
  wal.close();
  assert.throws(() => wal.save(hs(1, 0), [entry(1, 1)]), (e: unknown) => isSwarmError(e, 'UNAVAILABLE'));
  const oversized = openWal(tempDir(), { ...defaultWalConfig(), recordBytesMax: 100 });
  assert.throws(() => oversized.wal.save(undefined, [entry(1, 1, 'x'.repeat(200))]), (e: unknown) => isSwarmError(e, 'INVALID_ARGUMENT'));
  oversized.wal.save(undefined, [entry(1, 1)]);
  assert.throws(() => oversized.wal.compact(snapshot(1, 1, 'x'.repeat(200))), (e: unknown) => isSwarmError(e, 'INVALID_ARGUMENT'));
  oversized.wal.compact(snapshot(1, 1));
  oversized.wal.close();
});

test.run();
