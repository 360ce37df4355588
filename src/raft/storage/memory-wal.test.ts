import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from '../../core/errors.js';
import { SeededRandom, type Random } from '../../core/random.js';
import { testSeed } from '../../core/seed.js';
import type { Entry, HardState, Snapshot } from '../types.js';
import { defaultWalConfig } from './config.js';
import { openWal } from './file-wal.js';
import { MemoryWal, SimulatedCrash } from './memory-wal.js';
import type { WalState } from './wal.js';

const seed = testSeed();
const dirs: string[] = [];
test.after(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function entry(index: number, term: number): Entry {
  return { index, term, type: index % 7 === 0 ? 'confChange' : 'normal', data: new TextEncoder().encode(`e${index}.${term}`) };
}
function snapshot(index: number, term: number): Snapshot {
  return { meta: { index, term, confState: { voters: ['a', 'b', 'c'], learners: ['d'] } }, data: new TextEncoder().encode(`state@${index}`) };
}

/** The obvious model of a log: what every Wal must replay to. */
class ModelLog {
  state: WalState = { hardState: { term: 0, vote: undefined, commit: 0 }, snapshot: undefined, entries: [] };
  lastIndex(): number {
    return this.state.entries.at(-1)?.index ?? this.state.snapshot?.meta.index ?? 0;
  }
  snapshotIndex(): number {
    return this.state.snapshot?.meta.index ?? 0;
  }
  save(hs: HardState | undefined, entries: Entry[]): void {
    if (hs) this.state.hardState = hs;
    if (entries.length > 0) this.state.entries = [...this.state.entries.filter((e) => e.index < entries[0]!.index), ...entries];
  }
  install(snap: Snapshot): void {
    this.state.snapshot = snap;
    this.state.entries = [];
  }
  compact(snap: Snapshot): void {
    this.state.snapshot = snap;
    this.state.entries = this.state.entries.filter((e) => e.index > snap.meta.index);
  }
}

type Op =
  | { kind: 'save'; hs: HardState | undefined; entries: Entry[] }
  | { kind: 'install'; snap: Snapshot }
  | { kind: 'compact'; snap: Snapshot }
  | { kind: 'reopen' };

/** A random but raft-shaped operation: overwrites only after the commit, snapshots only of committed state. */
function randomOp(random: Random, model: ModelLog): Op {
  const hs = model.state.hardState;
  const roll = random.int(100);
  if (roll < 5) return { kind: 'reopen' };
  if (roll < 10) {
    const index = model.lastIndex() + random.intBetween(1, 4);
    return { kind: 'install', snap: snapshot(index, hs.term + 1) };
  }
  if (roll < 18 && hs.commit > model.snapshotIndex()) {
    const index = random.intBetween(model.snapshotIndex() + 1, hs.commit);
    const term = model.state.entries.find((e) => e.index === index)?.term ?? hs.term;
    return { kind: 'compact', snap: snapshot(index, term) };
  }
  const term = hs.term + (random.chance(0.2) ? 1 : 0);
  const from = random.intBetween(Math.max(hs.commit, model.snapshotIndex()) + 1, model.lastIndex() + 1);
  const count = random.int(6);
  const entries = Array.from({ length: count }, (_, i) => entry(from + i, term));
  const last = count > 0 ? from + count - 1 : model.lastIndex();
  const commit = Math.min(last, hs.commit + random.int(4));
  const newHs = random.chance(0.7) ? { term, vote: random.pick(['a', 'b', undefined]), commit } : undefined;
  return { kind: 'save', hs: newHs, entries };
}

test('MemoryWal and FileWal replay every random operation sequence to the model log', () => {
  const random = new SeededRandom(seed);
  for (let run = 0; run < 12; run++) {
    const dir = fs.mkdtempSync(join(tmpdir(), 'swarmts-wal-contract-'));
    dirs.push(dir);
    const config = { ...defaultWalConfig(), segmentBytesMax: random.intBetween(100, 2000) };
    const model = new ModelLog();
    const disk = new MemoryWal();
    let memory = disk.open().wal;
    let file = openWal(dir, config).wal;
    for (let step = 0; step < 150; step++) {
      const op = randomOp(random, model);
      const where = `seed ${seed} run ${run} step ${step} ${op.kind}`;
      switch (op.kind) {
        case 'save':
          model.save(op.hs, op.entries);
          memory.save(op.hs, op.entries);
          file.save(op.hs, op.entries);
          break;
        case 'install':
          model.install(op.snap);
          memory.installSnapshot(op.snap);
          file.installSnapshot(op.snap);
          model.save({ ...model.state.hardState, term: op.snap.meta.term, commit: op.snap.meta.index }, []);
          memory.save(model.state.hardState, []);
          file.save(model.state.hardState, []);
          break;
        case 'compact':
          model.compact(op.snap);
          memory.compact(op.snap);
          file.compact(op.snap);
          break;
        case 'reopen': {
          file.close();
          const reopenedFile = openWal(dir, config);
          const reopenedMemory = disk.open();
          assert.equal(reopenedFile.state, model.state, where);
          assert.equal(reopenedMemory.state, model.state, where);
          assert.equal(reopenedFile.warnings, [], where);
          file = reopenedFile.wal;
          memory = reopenedMemory.wal;
          break;
        }
      }
      // A commit-only save is not synced: the durable commit index may lag, nothing else.
      const durable = disk.durableState();
      assert.ok(durable.hardState.commit <= model.state.hardState.commit, where);
      assert.equal({ ...durable, hardState: { ...durable.hardState, commit: 0 } }, { ...model.state, hardState: { ...model.state.hardState, commit: 0 } }, where);
    }
    file.close();
    assert.equal(openWal(dir, config).state, model.state, `seed ${seed} run ${run} final`);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a crash between write and sync keeps every synced record and maybe the unsynced one', () => {
  const outcomes = new Set<number>();
  for (let i = 0; i < 40; i++) {
    const random = new SeededRandom(seed + i);
    const disk = new MemoryWal();
    const { wal } = disk.open();
    wal.save({ term: 1, vote: 'a', commit: 1 }, [entry(1, 1), entry(2, 1)]);
    disk.crashBeforeNextSync();
    assert.throws(() => wal.save({ term: 1, vote: 'a', commit: 2 }, [entry(3, 1)]), (e: unknown) => e instanceof SimulatedCrash);
    assert.throws(() => wal.save(undefined, [entry(4, 1)]), (e: unknown) => isSwarmError(e, 'UNAVAILABLE'));
    disk.crash(random);
    const { state, warnings } = disk.open();
    const n = state.entries.length;
    outcomes.add(n);
    assert.ok(n === 2 || n === 3, `seed ${seed + i}: ${n} entries survived`);
    assert.equal(state.entries.slice(0, 2), [entry(1, 1), entry(2, 1)]);
    assert.is(warnings.length, n === 2 ? 1 : 0);
    assert.is(state.hardState.commit, n - 1);
  }
  assert.equal([...outcomes].sort(), [2, 3], `seed ${seed}: both outcomes should occur in 40 crashes`);
});

test('a commit-only save is not synced: a crash may lose it, never an entry or a vote', () => {
  const outcomes = new Set<number>();
  for (let i = 0; i < 40; i++) {
    const disk = new MemoryWal();
    const { wal } = disk.open();
    wal.save({ term: 1, vote: 'a', commit: 0 }, [entry(1, 1), entry(2, 1)]);
    wal.save({ term: 1, vote: 'a', commit: 2 }, []);
    assert.is(wal.stats().fsyncs, 1);
    disk.crash(new SeededRandom(seed + i));
    const { state } = disk.open();
    assert.equal(state.entries, [entry(1, 1), entry(2, 1)]);
    assert.equal({ ...state.hardState, commit: 0 }, { term: 1, vote: 'a', commit: 0 });
    outcomes.add(state.hardState.commit);
  }
  assert.equal([...outcomes].sort(), [0, 2], `seed ${seed}: both outcomes should occur in 40 crashes`);
});

test('a crash with nothing unsynced loses nothing, and snapshots survive it', () => {
  const disk = new MemoryWal();
  const { wal } = disk.open();
  wal.save({ term: 2, vote: 'b', commit: 5 }, [1, 2, 3, 4, 5, 6].map((i) => entry(i, 2)));
  wal.compact(snapshot(4, 2));
  disk.crash(new SeededRandom(seed));
  const { state, warnings } = disk.open();
  assert.equal(warnings, []);
  assert.equal(state.snapshot, snapshot(4, 2));
  assert.equal(state.entries, [entry(5, 2), entry(6, 2)]);
  assert.throws(() => disk.open().wal.compact(snapshot(3, 2)), (e: unknown) => isSwarmError(e, 'INVALID_ARGUMENT'));
});

test.run();
