import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { withEvent, eventsKeptMax } from './cluster-snapshot.js';
import { dashboardViewModel } from './dashboard-view-model.js';
import { fixtureNowMs, nodeIds, sampleSnapshot } from './test-fixtures.js';
import { initialUiState } from './ui-state.js';
import { eventRows } from './view-model-events.js';
import { nodeColumns } from './pane-columns.js';
import { nodeRows, type NodeRow } from './view-model-nodes.js';
import { serviceRows } from './view-model-services.js';
import { taskDetailLines, taskRows } from './view-model-tasks.js';

/** The view-models: pure functions of the snapshot, the filter and the time. */

test('nodes: by hostname, raft role from the orchestration status, usage as gossiped, reservations summed from running-desired tasks', () => {
  const rows = nodeRows(sampleSnapshot(), '');
  assert.equal(rows.map((r) => [r.hostname, r.status, r.statusTone, r.raft, r.self]), [
    ['node-a', 'ready', 'good', 'leader', true],
    ['node-b', 'ready', 'good', 'voter', false],
    ['node-c', 'down', 'bad', '', false],
  ]);
  const [a, b, c] = rows;
  // node-a: web_web.1 and .3 (250m, 64Mi each), web_worker.1 (128Mi), the agent (nothing); history is not counted.
  assert.equal([a!.tasks, a!.cpuReservedMillicores, a!.memoryReservedBytes], [4, 500, 256 * 1024 ** 2]);
  assert.equal([b!.tasks, b!.cpuReservedMillicores, b!.memoryReservedBytes, b!.cpuCapacityMillicores], [1, 250, 64 * 1024 ** 2, 4000]);
  assert.equal([c!.tasks, c!.cpuCapacityMillicores, c!.memoryCapacityBytes], [0, undefined, undefined], 'capacity not fetched yet');
  assert.equal([a!.cpuUsedMillicores, a!.memoryUsedBytes], [420, 310 * 1024 ** 2]);
  assert.equal([c!.cpuUsedMillicores, c!.memoryUsedBytes], [undefined, undefined], 'no fresh usage from a down node');
});

test('nodes: a manager in raft without a vote is a learner; the ROLE cell shows the raft part, else the role', () => {
  const snapshot = sampleSnapshot();
  snapshot.orchestration = { ...snapshot.orchestration!, voters: [nodeIds.a], learners: [nodeIds.b] };
  const rows = nodeRows(snapshot, '');
  assert.equal(rows.map((r) => r.raft), ['leader', 'learner', '']);
  const role = nodeColumns.find((c) => c.header === 'ROLE')!;
  assert.equal(rows.map((r) => role.text(r)), ['leader', 'learner', 'worker']);
});

test('nodes: CPU and MEMORY read used/reserved/capacity, - for unknown usage and ? for capacity not fetched', () => {
  const [a, , c] = nodeRows(sampleSnapshot(), '');
  const cell = (header: string, row: NodeRow) => nodeColumns.find((col) => col.header === header)!.text(row);
  assert.equal([cell('CPU', a!), cell('MEMORY', a!)], ['0.42/0.5/2', '310Mi/256Mi/2Gi']);
  assert.equal([cell('CPU', c!), cell('MEMORY', c!)], ['-/0/?', '-/0B/?']);
});

test('nodes: a filter matches hostname, status, role or availability, ignoring case', () => {
  const names = (filter: string) => nodeRows(sampleSnapshot(), filter).map((r) => r.hostname);
  assert.equal(names('DOWN'), ['node-c']);
  assert.equal(names('drain'), ['node-b']);
  assert.equal(names('worker'), ['node-c']);
  assert.equal(names('nothing'), []);
  assert.equal(nodeRows({ ...sampleSnapshot(), nodes: [] }, ''), []);
});

test('services: replicas tone, ports, update words and why a paused update stopped', () => {
  const snapshot = sampleSnapshot();
  snapshot.services[1] = { ...snapshot.services[1]!, running: 0, update: { state: 'paused', startedAtMs: 0, completedAtMs: undefined, message: '2 of 2 new tasks failed' } };
  const rows = serviceRows(snapshot, '');
  assert.equal(rows.map((r) => [r.name, r.replicasTone, r.ports, r.update, r.updateTone]), [
    ['web_agent', 'good', '', '', 'plain'],
    ['web_web', 'warn', '8080:80/tcp', 'updating', 'info'],
    ['web_worker', 'bad', '', 'update paused: 2 of 2 new tasks failed', 'bad'],
  ]);
  assert.equal(serviceRows(snapshot, 'registry').map((r) => r.name), ['web_worker'], 'the filter matches images too');
});

test('tasks: current ones by slot, then history newest first; global tasks named by hostname', () => {
  const snapshot = sampleSnapshot();
  const ofWeb = taskRows(snapshot, { kind: 'service', serviceId: 'svcweb' }, '', fixtureNowMs);
  assert.equal(ofWeb.map((r) => [r.name, r.current, r.state, r.stateTone, r.age]), [
    ['web_web.1', true, 'running', 'good', '4m'],
    ['web_web.2', true, 'running', 'good', '4m'],
    ['web_web.3', true, 'starting', 'info', '5s'],
    ['web_web.3', false, 'shutdown', 'plain', '6s'],
  ]);
  const onA = taskRows(snapshot, { kind: 'node', nodeId: nodeIds.a }, '', fixtureNowMs);
  assert.ok(onA.some((r) => r.name === 'web_agent.node-a'), JSON.stringify(onA.map((r) => r.name)));
  const failed = taskRows(snapshot, { kind: 'service', serviceId: 'svcworker' }, 'exit code', fixtureNowMs);
  assert.equal(failed.map((r) => [r.name, r.stateTone, r.exitCode]), [['web_worker.2', 'bad', 1]]);
  assert.equal(taskRows(snapshot, undefined, '', fixtureNowMs), []);
  assert.equal(taskRows(snapshot, { kind: 'service', serviceId: 'gone' }, '', fixtureNowMs), []);
});

test('a task in full keeps the whole error and says what is not there yet', () => {
  const pending = taskRows(sampleSnapshot(), { kind: 'service', serviceId: 'svcworker' }, 'pending', fixtureNowMs)[0]!;
  assert.equal(taskDetailLines(pending).slice(0, 5), [
    'task       web_worker.2',
    'node       not assigned yet',
    'state      pending for 59s',
    'error      no suitable node: 0 of 3 nodes have 128Mi of memory free',
    'container  none yet',
  ]);
});

test('events: newest first, node ids as hostnames, a tone per kind', () => {
  const rows = eventRows(sampleSnapshot(), '');
  assert.equal(rows.slice(0, 4).map((r) => [r.time, r.text, r.tone]), [
    ['09:59:30', 'update of web_web updating', 'info'],
    ['09:59:30', 'service web_web updated', 'info'],
    ['09:59:00', 'task web_worker.2 failed on node-b: exit code 1', 'bad'],
    ['09:58:00', 'node node-c down', 'bad'],
  ]);
  assert.equal(rows.at(-2)!.text, 'leader node-a elected (term 2)');
  assert.equal(eventRows(sampleSnapshot(), 'leader').length, 1);
});

test('the event feed keeps only the newest eventsKeptMax events', () => {
  let snapshot = sampleSnapshot();
  for (let i = 0; i < eventsKeptMax + 5; i++) snapshot = withEvent(snapshot, { type: 'leader', leader: undefined, term: i, time: i });
  assert.is(snapshot.events.length, eventsKeptMax);
  assert.equal(snapshot.events.at(-1), { type: 'leader', leader: undefined, term: eventsKeptMax + 4, time: eventsKeptMax + 4 });
});

test('the screen model: summary, selection by id (first when gone), tasks of the selected service or node, connection', () => {
  const ui = initialUiState();
  const vm = dashboardViewModel(sampleSnapshot(), { state: 'live' }, ui, fixtureNowMs);
  assert.is(vm.summary, '3 nodes, 2 ready · leader node-a · 3 services, 4/6 tasks');
  assert.is(vm.connection, 'live');
  assert.is(vm.services.selected, 0);
  assert.is(vm.tasks.title, 'tasks of web_agent');
  const onB = dashboardViewModel(sampleSnapshot(), { state: 'connecting' }, { ...ui, taskScope: 'node', selected: { ...ui.selected, nodes: nodeIds.b } }, fixtureNowMs);
  assert.is(onB.tasks.title, 'tasks on node-b');
  assert.equal(onB.tasks.rows.map((r) => r.name), ['web_web.2', 'web_worker.2']);
  assert.is(onB.connection, 'connecting…');
  const gone = dashboardViewModel(sampleSnapshot(), { state: 'lost', error: 'socket closed', retryAtMs: fixtureNowMs + 1500 }, { ...ui, selected: { ...ui.selected, services: 'removed' } }, fixtureNowMs);
  assert.is(gone.services.selected, 0);
  assert.is(gone.connection, 'disconnected, retrying in 2s: socket closed');
  assert.not.ok(gone.connectionOk);
  const empty = dashboardViewModel({ ...sampleSnapshot(), services: [], nodes: [], orchestration: undefined }, { state: 'live' }, ui, fixtureNowMs);
  assert.equal([empty.services.selected, empty.tasks.title, empty.summary], [-1, 'tasks', '0 nodes, 0 ready · no leader · 0 services, 0/0 tasks']);
});

test.run();
