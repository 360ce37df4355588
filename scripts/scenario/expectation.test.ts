import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { judge, type MembershipCheck, type Observation } from './expectation.js';
import { parseNodeList, type ListedNode } from './node-list.js';

const hostOf = (hostname: string) => /^sc1-(h\d+)$/.exec(hostname)?.[1];
const node = (h: string, status: ListedNode['status'], role: ListedNode['role'] = 'worker'): ListedNode => ({ hostname: `sc1-${h}`, status, role });
const saw = (...nodes: ListedNode[]): Observation => ({ nodes });

test('judge: members counts must match exactly, statuses left out count zero', () => {
  const five = saw(node('h1', 'ready'), node('h2', 'ready'), node('h3', 'down'));
  const table: Array<[MembershipCheck, Observation, boolean]> = [
    [{ kind: 'members', counts: { ready: 2, down: 1 } }, five, true],
    [{ kind: 'members', counts: { ready: 2 } }, five, false],
    [{ kind: 'members', counts: { ready: 3 } }, five, false],
    [{ kind: 'members', counts: { ready: 0 } }, saw(), true],
    [{ kind: 'node', host: 'h3', status: 'down' }, five, true],
    [{ kind: 'node', host: 'h3', status: 'ready' }, five, false],
    [{ kind: 'node', host: 'h1', role: 'manager' }, five, false],
    [{ kind: 'node', host: 'h1', status: 'ready', role: 'worker' }, five, true],
    [{ kind: 'node', host: 'h4', status: 'absent' }, five, true],
    [{ kind: 'node', host: 'h2', status: 'absent' }, five, false],
    [{ kind: 'node', host: 'h2', status: 'ready' }, saw(node('h2', 'ready'), node('h2', 'ready')), false],
    [{ kind: 'members', counts: { ready: 1 } }, { error: 'exit 1: no daemon' }, false],
  ];
  for (const [check, observation, expected] of table) {
    assert.is(judge(check, new Map([['h1', observation]]), hostOf).pass, expected, JSON.stringify([check, observation]));
  }
});

test('judge: every observer must agree, and the report says what each saw', () => {
  const verdict = judge({ kind: 'node', host: 'h3', status: 'down' }, new Map<string, Observation>([
    ['h1', saw(node('h1', 'ready', 'manager'), node('h3', 'down'))],
    ['h2', saw(node('h3', 'suspect'), { hostname: 'stranger', status: 'ready', role: 'worker' })],
    ['h4', { error: 'timed out' }],
  ]), hostOf);
  assert.is(verdict.pass, false);
  assert.equal(verdict.lines, [
    'h1 agrees: h1 ready manager, h3 down worker',
    'h2 differs: "stranger" ready worker, h3 suspect worker',
    'h4 differs: no list: timed out',
  ]);
  assert.is(judge({ kind: 'members', counts: {} }, new Map(), hostOf).pass, false, 'nobody to ask is not a pass');
});

test('parseNodeList: the contract fields are checked, extra fields are fine', () => {
  const good = parseNodeList('[{"id":"a","hostname":"sc1-h1","status":"ready","availability":"active","role":"manager","address":"10.99.1.11:7946","self":true,"incarnation":0,"statusChangedAt":1}]');
  assert.equal(good, [{ hostname: 'sc1-h1', status: 'ready', role: 'manager', availability: 'active' }]);
  for (const [stdout, message] of [
    ['ID HOSTNAME', /not JSON/],
    ['{"nodes":[]}', /expected a JSON array/],
    ['[{"hostname":"a","status":"alive","role":"worker"}]', /entry 0 status is "alive"/],
    ['[{"hostname":"a","status":"ready"}]', /entry 0 role is undefined/],
    ['[null]', /entry 0 is not an object/],
  ] as const) {
    const result = parseNodeList(stdout);
    assert.instance(result, Error, stdout);
    assert.match((result as Error).message, message);
  }
});

test.run();
