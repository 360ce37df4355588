import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { judgeLeader, judgeService, judgeUnchanged, type ContainerView, type StatusView, type TaskView } from './orchestration-judge.js';
import { parseContainers, parseStatus, parseTasks, type ListedContainer, type ListedTask } from './orchestration-lists.js';
import type { ServiceCheck } from './scenario-types.js';

const id = (n: number) => `${String(n).padStart(4, '0')}${'c'.repeat(60)}`;
const task = (slot: number, host: string, state = 'running', desiredState = 'running'): ListedTask => ({
  id: `t${slot}`, name: `web_web.${slot}`, nodeId: `node-${host}`, node: `sc1-${host}`, state, desiredState, containerId: id(slot), error: state === 'failed' ? 'exit 127' : '', address: undefined,
});
const container = (n: number, service = 'web_web', state = 'running'): ListedContainer => ({ id: id(n), state, labels: { 'swarmts.service.name': service } });
const hostOf = (t: ListedTask) => /^sc1-(h\d+)$/.exec(t.node ?? '')?.[1] ?? `"${t.node}"`;
const tasks = (...list: ListedTask[]): TaskView => ({ tasks: list });
const runs = (...list: ListedContainer[]): ContainerView => ({ containers: list });
const six = [task(1, 'h1'), task(2, 'h2'), task(3, 'h3'), task(4, 'h1'), task(5, 'h2'), task(6, 'h3')];
const sixContainers = new Map([['h1', runs(container(1), container(4))], ['h2', runs(container(2), container(5))], ['h3', runs(container(3), container(6))]]);
const check = (over: Partial<ServiceCheck>): ServiceCheck => ({ kind: 'service', service: 'web_web', running: 6, notOn: [], ...over });

test('judgeService: running counts, spread and not-on must all hold, on tasks and containers alike', () => {
  const spread = { h1: 2, h2: 2, h3: 2 };
  const table: Array<[string, ServiceCheck, string[], Map<string, TaskView>, Map<string, ContainerView>, boolean]> = [
    ['six spread evenly', check({ spread }), [], new Map([['h1', tasks(...six)], ['h2', tasks(...six)]]), sixContainers, true],
    ['a task not yet running', check({}), [], new Map([['h1', tasks(...six.slice(0, 5), task(6, 'h3', 'starting'))]]), sixContainers, false],
    ['a task being shut down does not count', check({ running: 5 }), [], new Map([['h1', tasks(...six.slice(0, 5), task(6, 'h3', 'running', 'shutdown'))]]), new Map([['h3', runs(container(3))]]), true],
    ['uneven spread', check({ spread: { h1: 3, h2: 3 } }), [], new Map([['h1', tasks(...six)]]), new Map(), false],
    ['spread left-out host runs none', check({ spread: { h1: 3, h2: 3 } }), [], new Map([['h1', tasks(task(1, 'h1'), task(2, 'h1'), task(3, 'h1'), task(4, 'h2'), task(5, 'h2'), task(6, 'h2'))]]), new Map(), true],
    ['not-on host runs one', check({}), ['h3'], new Map([['h1', tasks(...six)]]), new Map(), false],
    ['observers disagree', check({}), [], new Map([['h1', tasks(...six)], ['h2', tasks(...six.slice(1))]]), new Map(), false],
    ['an observer cannot answer', check({}), [], new Map<string, TaskView>([['h1', tasks(...six)], ['h2', { error: 'timed out' }]]), new Map(), false],
    ['a container too many on a host', check({}), [], new Map([['h1', tasks(...six)]]), new Map([['h1', runs(container(1), container(4), container(9))]]), false],
    ['other services and exited containers are not counted', check({}), [], new Map([['h1', tasks(...six)]]), new Map([['h1', runs(container(1), container(4), container(7, 'db_db'), container(8, 'web_web', 'exited'))]]), true],
    ['an absent service runs nothing', check({ running: 0 }), [], new Map<string, TaskView>([['h1', { absent: true }]]), new Map([['h1', runs()]]), true],
    ['an absent service is not six running', check({}), [], new Map<string, TaskView>([['h1', { absent: true }]]), new Map(), false],
    ['nobody to ask', check({}), [], new Map(), new Map(), false],
  ];
  for (const [name, c, notOn, seen, containers, pass] of table) {
    const verdict = judgeService(c, notOn, seen, containers, hostOf);
    assert.is(verdict.pass, pass, `${name}:\n${verdict.lines.join('\n')}`);
  }
});

test('judgeService: the report says what each observer and each host saw', () => {
  const verdict = judgeService(check({ spread: { h1: 3, h2: 3 } }), [], new Map([['h1', tasks(...six, task(7, 'h1', 'failed'))]]), new Map([['h1', runs(container(1))], ['h3', { error: 'no daemon' }]]), hostOf);
  assert.equal(verdict.lines, [
    'h1 differs: 6 running (h1 2, h2 2, h3 2), 1 other task (1 failed; errors: "exit 127")',
    'containers on h1 differ: 1 running, but the tasks put 2 there',
    'containers on h3 differ: no list: no daemon',
  ]);
});

test('judgeLeader: one live leader every observer names, and only it says it leads', () => {
  const hostOfNode = (nodeId: string) => /^node-(h\d+)$/.exec(nodeId)?.[1];
  const say = (leader: string | undefined, isLeader = false): StatusView => ({ status: { leader, isLeader } });
  const running = (h: string) => h !== 'h1';
  const table: Array<[string, string | undefined, Map<string, StatusView>, boolean]> = [
    ['agreed', undefined, new Map([['h2', say('node-h2', true)], ['h3', say('node-h2')]]), true],
    ['agreed on the named host', 'h2', new Map([['h2', say('node-h2', true)], ['h3', say('node-h2')]]), true],
    ['agreed on another host', 'h3', new Map([['h2', say('node-h2', true)], ['h3', say('node-h2')]]), false],
    ['a dead leader', undefined, new Map([['h2', say('node-h1')], ['h3', say('node-h1')]]), false],
    ['no leader yet', undefined, new Map([['h2', say(undefined)], ['h3', say(undefined)]]), false],
    ['split', undefined, new Map([['h2', say('node-h2', true)], ['h3', say('node-h3', true)]]), false],
    ['the leader does not know', undefined, new Map([['h2', say('node-h2')], ['h3', say('node-h2')]]), false],
    ['a stranger leads', undefined, new Map([['h2', say('node-x')], ['h3', say('node-x')]]), false],
    ['an observer cannot answer', undefined, new Map<string, StatusView>([['h2', say('node-h2', true)], ['h3', { error: 'timed out' }]]), false],
  ];
  for (const [name, host, seen, pass] of table) {
    const verdict = judgeLeader(host, seen, hostOfNode, running);
    assert.is(verdict.pass, pass, `${name}:\n${verdict.lines.join('\n')}`);
  }
  assert.equal(judgeLeader(undefined, new Map([['h2', say('node-h1')], ['h3', say(undefined)]]), hostOfNode, running).lines, ['h2 differs: leader h1', 'h3 differs: no leader']);
});

test('judgeUnchanged: the same containers run on the host, and its tasks still name them', () => {
  const record = { host: 'h2', service: 'web_web', containerIds: [id(2), id(5)] };
  const both = tasks(...six);
  const table: Array<[string, ContainerView, TaskView, boolean]> = [
    ['unchanged', runs(container(5), container(2)), both, true],
    ['short ids in tasks', runs(container(2), container(5)), tasks(...six.map((t) => ({ ...t, containerId: t.containerId!.slice(0, 12) }))), true],
    ['a container replaced', runs(container(2), container(8)), both, false],
    ['a container gone', runs(container(2)), both, false],
    ['a task moved away', runs(container(2), container(5)), tasks(...six.filter((t) => t.id !== 't5')), false],
    ['a task without a container id', runs(container(2), container(5)), tasks(...six.map((t) => (t.id === 't5' ? { ...t, containerId: undefined } : t))), false],
    ['the host cannot answer', { error: 'no daemon' }, both, false],
  ];
  for (const [name, current, seen, pass] of table) {
    const verdict = judgeUnchanged(record, current, new Map([['h1', seen]]), hostOf);
    assert.is(verdict.pass, pass, `${name}:\n${verdict.lines.join('\n')}`);
  }
  assert.equal(judgeUnchanged(record, runs(container(2), container(8)), new Map([['h1', both]]), hostOf).lines, [
    'containers on h2 differ: 0002cccccccc, 0008cccccccc; recorded 0002cccccccc, 0005cccccccc',
    'h1 agrees: tasks running on h2 have 0002cccccccc, 0005cccccccc',
  ]);
});

test('the API answers are checked against the contract, extra fields are fine', () => {
  assert.equal(parseTasks([{ id: 't1', serviceId: 's', name: 'web_web.1', slot: 1, nodeId: 'n1', node: 'sc1-h1', state: 'running', desiredState: 'running', containerId: 'abc', exitCode: null, address: '10.200.1.2' }]),
    [{ id: 't1', name: 'web_web.1', nodeId: 'n1', node: 'sc1-h1', state: 'running', desiredState: 'running', containerId: 'abc', error: '', address: '10.200.1.2' }]);
  assert.equal(parseTasks([{ id: 't1', name: 'web_web.1', state: 'pending', desiredState: 'running' }]),
    [{ id: 't1', name: 'web_web.1', nodeId: undefined, node: undefined, state: 'pending', desiredState: 'running', containerId: undefined, error: '', address: undefined }]);
  assert.equal(parseStatus({ synced: true, leader: 'n1', isLeader: false, voters: [], applied: 3 }), { leader: 'n1', isLeader: false });
  assert.equal(parseContainers([{ id: 'c1', state: 'running', labels: {}, image: 'x' }]), [{ id: 'c1', state: 'running', labels: {} }]);
  for (const [result, message] of [
    [parseTasks({ tasks: [] }), /task list: expected a JSON array/],
    [parseTasks([{ id: 't1', name: 'x', state: 'running' }]), /entry 0 desiredState is undefined, expected a string/],
    [parseTasks([{ id: 't1', name: 'x', state: 'running', desiredState: 'running', nodeId: 7 }]), /entry 0 nodeId is 7, expected a string or nothing/],
    [parseContainers([{ id: 'c1', state: 'running', labels: [] }]), /entry 0 labels is \[\], expected an object/],
    [parseStatus({ leader: 'n1' }), /orchestration status: isLeader is undefined, expected a boolean/],
  ] as const) {
    assert.instance(result, Error);
    assert.match((result as Error).message, message);
  }
});

test.run();
