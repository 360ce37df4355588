import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from '../core/errors.js';
import { decodeBody } from '../core/framing.js';
import { encodeMessageBody } from '../p2p/message-codec.js';
import { openWal } from '../raft/storage/file-wal.js';
import { readBootstrap, writeBootstrap } from './bootstrap-file.js';
import { defaultRaftServiceConfig, raftServiceConfigProblems } from './config.js';
import { loadDisk, walDirOf } from './disk.js';
import { decodeEnvelope, encodeEnvelope, tagKey } from './envelope.js';
import { decodeRaftWire, raftTransportConfig, toWire } from './wire.js';

function throwsCode(fn: () => unknown, code: string, pattern: RegExp): void {
  try {
    fn();
  } catch (err) {
    assert.ok(isSwarmError(err), `expected a SwarmError, got ${String(err)}`);
    assert.is(err.code, code);
    assert.match(err.message, pattern);
    return;
  }
  assert.unreachable(`expected ${code}`);
}

test('an envelope round-trips its tag and command, large sequence numbers included', () => {
  for (const seq of [0, 1, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER]) {
    const tag = { origin: '12D3KooWpeer', session: '00ff10a0b0c0d0e0', seq };
    const decoded = decodeEnvelope(encodeEnvelope(tag, new Uint8Array([1, 2, 3])));
    assert.equal(decoded.tag, tag);
    assert.equal([...decoded.command], [1, 2, 3]);
    assert.is(tagKey(decoded.tag), `12D3KooWpeer/00ff10a0b0c0d0e0/${seq}`);
  }
});

test('bad envelopes are refused saying what is wrong', () => {
  const good = encodeEnvelope({ origin: 'n1', session: '0123456789abcdef', seq: 7 }, new Uint8Array());
  throwsCode(() => decodeEnvelope(new Uint8Array()), 'MALFORMED_MESSAGE', /expected envelope format 1, got nothing/);
  throwsCode(() => decodeEnvelope(new Uint8Array([2, 0, 1])), 'MALFORMED_MESSAGE', /format 1, got 2/);
  throwsCode(() => decodeEnvelope(good.subarray(0, good.length - 1)), 'MALFORMED_MESSAGE', /truncated tag/);
  throwsCode(() => encodeEnvelope({ origin: '', session: '0123456789abcdef', seq: 1 }, new Uint8Array()), 'INVALID_ARGUMENT', /origin/);
  throwsCode(() => encodeEnvelope({ origin: 'n1', session: 'xyz', seq: 1 }, new Uint8Array()), 'INVALID_ARGUMENT', /16 hex digits/);
  throwsCode(() => encodeEnvelope({ origin: 'n1', session: '0123456789abcdef', seq: -1 }, new Uint8Array()), 'INVALID_ARGUMENT', /seq/);
});

test('raft wire messages survive msgpack and are checked by the raft validator', () => {
  const append = { type: 'append' as const, from: 'a', to: 'b', term: 3, index: 4, logTerm: 2, commit: 4, entries: [{ index: 5, term: 3, type: 'normal' as const, data: new Uint8Array([9]) }] };
  const config = raftTransportConfig();
  const decoded = config.decode(decodeBody(encodeMessageBody(toWire(append), config.messageBytesMax)) as never);
  assert.equal(decoded.msg.type, 'append');
  assert.equal([...(decoded.msg as typeof append).entries[0]!.data], [9]);
  assert.is(config.protocol, '/swarmts/raft/1');
  throwsCode(() => decodeRaftWire({ v: 1, msg: { ...append, term: -1 } }), 'MALFORMED_MESSAGE', /term: expected a non-negative integer/);
  throwsCode(() => decodeRaftWire({ v: 1 }), 'MALFORMED_MESSAGE', /message: expected an object/);
});

test('the service config: defaults are valid; every bad field is named at once', () => {
  assert.equal(raftServiceConfigProblems(defaultRaftServiceConfig()), []);
  const problems = raftServiceConfigProblems({ ...defaultRaftServiceConfig(), tickMs: 0, compactLagEntries: -1, snapshotEntries: 1.5 });
  assert.equal(problems, [
    'tickMs: expected a positive integer, got 0',
    'snapshotEntries: expected a positive integer, got 1.5',
    'compactLagEntries: expected a non-negative integer, got -1',
  ]);
  assert.equal(raftServiceConfigProblems({ ...defaultRaftServiceConfig(), electionTicks: 1, heartbeatTicks: 1 }), ['raft.electionTicks: expected more than heartbeatTicks (1), got 1']);
});

test('the disk: a new first node saves its bootstrap membership, a joiner waits, and a log without one refuses to start', () => {
  const root = mkdtempSync(join(tmpdir(), 'swarmts-consensus-disk-'));
  try {
    const first = loadDisk(join(root, 'first'), ['n1']);
    first.wal.close();
    assert.equal(readBootstrap(join(root, 'first')), { voters: ['n1'], learners: [] });
    assert.equal(first.storage.snapshot().meta.confState.voters, ['n1']);

    const joiner = loadDisk(join(root, 'joiner'), []);
    joiner.wal.close();
    assert.is(readBootstrap(join(root, 'joiner')), undefined);
    assert.equal(joiner.storage.snapshot().meta.confState, { voters: [], learners: [] });

    // A node that already saw a term is not brand new: bootstrap voters passed later are ignored.
    const seen = openWal(walDirOf(join(root, 'seen')));
    seen.wal.save({ term: 2, vote: undefined, commit: 0 }, []);
    seen.wal.close();
    loadDisk(join(root, 'seen'), ['n9']).wal.close();
    assert.is(readBootstrap(join(root, 'seen')), undefined);

    const orphan = openWal(walDirOf(join(root, 'orphan')));
    orphan.wal.save({ term: 1, vote: 'n1', commit: 1 }, [{ index: 1, term: 1, type: 'normal', data: new Uint8Array() }]);
    orphan.wal.close();
    throwsCode(() => loadDisk(join(root, 'orphan'), ['n1']), 'CORRUPT_DATA', /holds 1 entries but neither a snapshot nor .*bootstrap\.json/);

    writeBootstrap(join(root, 'bad'), { voters: ['n1'], learners: [] });
    writeFileSync(join(root, 'bad', 'bootstrap.json'), '{"voters": []}');
    throwsCode(() => readBootstrap(join(root, 'bad')), 'CORRUPT_DATA', /expected \{"voters": \[at least one id\]/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
