import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { judgeLookup, judgeReach, judgeRequests, parseLookup, parseReachLines, parseRequestLines, type RequestOutcome } from './network-judge.js';

const tasks = ['net_web.1', 'net_web.2', 'net_web.3'];
const ok = (...bodies: string[]): RequestOutcome[] => bodies.map((body) => ({ code: 0, body }));
const cycle = (n: number, names = tasks) => ok(...Array.from({ length: n }, (_, i) => names[(i + 1) % names.length]!));

test('request probe lines are read in order, the answer being everything after the exit code', () => {
  assert.equal(parseRequestLines('R 0 net_web.2\nnoise\nR 1 nc: can\'t connect to remote host (10.201.0.1): Connection refused\nR 0 \n'), [
    { code: 0, body: 'net_web.2' },
    { code: 1, body: 'nc: can\'t connect to remote host (10.201.0.1): Connection refused' },
    { code: 0, body: '' },
  ]);
});

test('requests pass round-robin only when every task answers in turn, whatever task answers first', () => {
  const cases: Array<[string, RequestOutcome[], string[], boolean, RegExp]> = [
    ['30 over 3 in turn', cycle(30), tasks, true, /^net_web\.1 ×10, net_web\.2 ×10, net_web\.3 ×10 in turn$/],
    ['one task', ok('net_web.1', 'net_web.1'), ['net_web.1'], true, /net_web\.1 ×2 in turn/],
    ['fewer requests than tasks', ok('net_web.3', 'net_web.1'), tasks, true, /net_web\.2 ×0/],
    ['balanced but not in turn', ok('net_web.1', 'net_web.2', 'net_web.3', 'net_web.2', 'net_web.1', 'net_web.3'), tasks, false, /request 4 answered by net_web\.2, request 1 by net_web\.1: not in turn over 3 tasks/],
    ['a task never answers', ok('net_web.1', 'net_web.2', 'net_web.1', 'net_web.2'), ['net_web.1', 'net_web.2', 'net_web.3'], false, /never answered by net_web\.3/],
    ['the same task twice in the first N', ok('net_web.1', 'net_web.1', 'net_web.2'), tasks, false, /first 3 requests were not answered by 3 different tasks/],
    ['a failed request', [...cycle(2), { code: 1, body: 'nc: timed out' }], tasks, false, /request 3 failed: exit 1: nc: timed out/],
    ['an empty answer', [{ code: 0, body: '' }], tasks, false, /request 1 failed: exit 0, empty answer/],
    ['a task that is not running', ok('net_web.1', 'net_web.9', 'net_web.3'), tasks, false, /request 2 answered by "net_web\.9", not a running task/],
    ['a short report', cycle(2), tasks.slice(0, 2), false, /2 of 3 requests reported/],
    ['nothing runs', cycle(3), [], false, /no task of the service runs/],
  ];
  for (const [name, outcomes, expected, pass, line] of cases) {
    const count = name === 'a short report' ? 3 : outcomes.length;
    const verdict = judgeRequests(outcomes, expected, 'round-robin', count);
    assert.is(verdict.pass, pass, `${name}: ${JSON.stringify(verdict)}`);
    assert.ok([verdict.summary, ...verdict.lines].some((l) => line.test(l)), `${name}: ${line} not in ${JSON.stringify(verdict)}`);
  }
});

test('balance any asks only that every request is answered by a running task', () => {
  assert.ok(judgeRequests(ok('net_web.1', 'net_web.1', 'net_web.2'), tasks, 'any', 3).pass);
  assert.not.ok(judgeRequests(ok('net_web.1', 'other.1'), tasks, 'any', 2).pass);
  assert.not.ok(judgeRequests([{ code: 1, body: 'refused' }], tasks, 'any', 1).pass);
});


const server = 'Server:\t\t10.200.1.1\nAddress:\t10.200.1.1:53\n\n';

test('busybox nslookup output is read as addresses, NXDOMAIN or an error', () => {
  const cases: Array<[string, string, number, ReturnType<typeof parseLookup>]> = [
    ['answers', `${server}Name:\ttasks.web\nAddress: 10.200.2.2\nName:\ttasks.web\nAddress: 10.200.1.2\n\n`, 0, { kind: 'addresses', addresses: ['10.200.2.2', '10.200.1.2'] }],
    ['forwarded', `${server}Non-authoritative answer:\nName:\tweb\nAddress: 10.201.0.1\n`, 0, { kind: 'addresses', addresses: ['10.201.0.1'] }],
    ['no records', `${server}`, 0, { kind: 'addresses', addresses: [] }],
    ['nxdomain', `${server}** server can't find web.a: NXDOMAIN\n\n`, 1, { kind: 'nxdomain' }],
    ['timeout', `${server};; connection timed out; no servers could be reached\n\n`, 1, { kind: 'error', text: 'exit 1: ;; connection timed out; no servers could be reached' }],
    ['servfail', `${server}** server can't find x.2: SERVFAIL\n`, 1, { kind: 'error', text: 'exit 1: ** server can\'t find x.2: SERVFAIL' }],
  ];
  for (const [name, output, code, want] of cases) assert.equal(parseLookup(output, code), want, name);
});

test('a lookup passes with exactly the addresses, in any order, or with NXDOMAIN when asked', () => {
  const addresses = (...a: string[]) => ({ kind: 'addresses' as const, addresses: a });
  const cases: Array<[string, ReturnType<typeof judgeLookup>, boolean, RegExp]> = [
    ['same set', judgeLookup(addresses('10.200.3.2', '10.200.10.2', '10.200.2.2'), 'tasks', ['10.200.2.2', '10.200.3.2', '10.200.10.2']), true, /^10\.200\.2\.2 10\.200\.3\.2 10\.200\.10\.2$/],
    ['one missing', judgeLookup(addresses('10.200.2.2'), 'tasks', ['10.200.2.2', '10.200.3.2']), false, /expected 10\.200\.2\.2 10\.200\.3\.2, got 10\.200\.2\.2/],
    ['one too many', judgeLookup(addresses('10.200.2.2', '10.200.3.2'), 'tasks', ['10.200.2.2']), false, /expected 10\.200\.2\.2, got/],
    ['duplicate', judgeLookup(addresses('10.200.2.2', '10.200.2.2'), 'tasks', ['10.200.2.2', '10.200.3.2']), false, /expected/],
    ['vip', judgeLookup(addresses('10.201.0.1'), 'vip', ['10.201.0.1']), true, /10\.201\.0\.1/],
    ['nothing to compare', judgeLookup(addresses(), 'vip', []), false, /the service has no VIP/],
    ['nxdomain wanted', judgeLookup({ kind: 'nxdomain' }, 'nxdomain', []), true, /^NXDOMAIN$/],
    ['nxdomain not wanted', judgeLookup({ kind: 'nxdomain' }, 'tasks', ['10.200.2.2']), false, /expected 10\.200\.2\.2, got NXDOMAIN/],
    ['an answer where NXDOMAIN is wanted', judgeLookup(addresses('10.201.0.1'), 'nxdomain', []), false, /expected NXDOMAIN, got 10\.201\.0\.1/],
    ['a timeout where NXDOMAIN is wanted', judgeLookup({ kind: 'error', text: 'exit 1: timed out' }, 'nxdomain', []), false, /expected NXDOMAIN, got exit 1: timed out/],
  ];
  for (const [name, verdict, pass, line] of cases) {
    assert.is(verdict.pass, pass, `${name}: ${JSON.stringify(verdict)}`);
    assert.ok([verdict.summary, ...verdict.lines].some((l) => line.test(l)), `${name}: ${line} not in ${JSON.stringify(verdict)}`);
  }
});

test('reach checks want every target answered by the right task, or none reached', () => {
  const targets = new Map([['10.200.1.2', ['a_web.1']], ['10.201.0.1', ['a_web.1', 'a_web.2']]]);
  const lines = (...l: string[]) => parseReachLines(l.join('\n'));
  assert.equal(lines('R 10.200.1.2 0 a_web.1', 'R 10.201.0.1 1 nc: timed out'), [
    { address: '10.200.1.2', code: 0, body: 'a_web.1' },
    { address: '10.201.0.1', code: 1, body: 'nc: timed out' },
  ]);
  assert.ok(judgeReach(lines('R 10.201.0.1 0 a_web.2', 'R 10.200.1.2 0 a_web.1'), targets, true).pass);
  assert.match(judgeReach(lines('R 10.201.0.1 0 a_web.2', 'R 10.200.1.2 0 a_web.2'), targets, true).lines.join('\n'), /10\.200\.1\.2: answered "a_web\.2", expected a_web\.1/);
  assert.match(judgeReach(lines('R 10.200.1.2 0 a_web.1'), targets, true).lines.join('\n'), /10\.201\.0\.1: the probe reported nothing/);
  assert.ok(judgeReach(lines('R 10.201.0.1 1 nc: timed out', 'R 10.200.1.2 1 nc: timed out'), targets, false).pass);
  assert.ok(judgeReach(lines('R 10.201.0.1 0', 'R 10.200.1.2 1 refused'), targets, false).pass, 'a connection that answers nothing did not get through');
  assert.match(judgeReach(lines('R 10.201.0.1 1 nc: timed out', 'R 10.200.1.2 0 a_web.1'), targets, false).lines.join('\n'), /10\.200\.1\.2: expected no connection, but it answered a_web\.1/);
  assert.not.ok(judgeReach([], new Map(), false).pass, 'nothing to try is no proof of isolation');
});

test.run();
