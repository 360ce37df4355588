import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from '../core/errors.js';
import { decodeBody, encodeFrame } from '../core/framing.js';
import type { Message } from './types.js';
import { validateMessage } from './validate-message.js';

const b = (s: string) => new TextEncoder().encode(s);
const base = { from: '1', to: '2', term: 3 };
const good: Message[] = [
  { ...base, type: 'append', index: 4, logTerm: 2, commit: 4, entries: [{ index: 5, term: 3, type: 'normal', data: b('x') }] },
  { ...base, type: 'appendResponse', index: 4, reject: true, rejectHint: 2, logTerm: 1 },
  { ...base, type: 'preVote', lastLogIndex: 4, lastLogTerm: 2, transfer: false },
  { ...base, type: 'voteResponse', reject: false },
  { ...base, type: 'heartbeat', commit: 1 },
  { ...base, type: 'heartbeatResponse', context: b('c') },
  { ...base, type: 'snapshot', snapshot: { meta: { index: 9, term: 2, confState: { voters: ['1'], learners: [] } }, data: b('s') } },
  { ...base, type: 'timeoutNow' },
  { ...base, type: 'readIndex', context: b('r') },
  { ...base, type: 'readIndexResponse', index: 7, context: b('r') },
];

test('every message variant survives the msgpack frame codec and validates', () => {
  for (const m of good) {
    const frame = encodeFrame(m);
    const decoded = decodeBody(frame.subarray(4));
    assert.equal(validateMessage(decoded), decoded, m.type);
  }
});

test('bad input is MALFORMED_MESSAGE naming the field', () => {
  const cases: [unknown, string][] = [
    [null, 'message'],
    [[], 'message'],
    [{ ...base, type: 'nope' }, 'type'],
    [{ ...base, from: '', type: 'timeoutNow' }, 'from'],
    [{ ...base, term: -1, type: 'timeoutNow' }, 'term'],
    [{ ...base, term: 1.5, type: 'timeoutNow' }, 'term'],
    [{ ...base, type: 'append', index: 1, logTerm: 1, commit: 1, entries: {} }, 'entries'],
    [{ ...base, type: 'append', index: 1, logTerm: 1, commit: 1, entries: [{ index: 2, term: 1, type: 'normal', data: 'x' }] }, 'entries[0].data'],
    [{ ...base, type: 'voteResponse', reject: 'no' }, 'reject'],
    [{ ...base, type: 'heartbeat', commit: 1, context: 'c' }, 'context'],
    [{ ...base, type: 'snapshot', snapshot: { meta: { index: 1, term: 1, confState: { voters: [1], learners: [] } }, data: b('') } }, 'snapshot.meta.confState.voters[0]'],
  ];
  for (const [value, field] of cases) {
    try {
      validateMessage(value);
      assert.unreachable(`accepted ${JSON.stringify(value)}`);
    } catch (err) {
      assert.ok(isSwarmError(err, 'MALFORMED_MESSAGE'), String(err));
      assert.ok((err as Error).message.includes(`raft message ${field}:`), `${(err as Error).message} should name ${field}`);
    }
  }
});

test.run();
