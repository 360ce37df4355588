import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { TaskStatusReport } from '../cluster/records.js';
import { silentLogger } from '../core/logger.js';
import type { TaskState } from '../spec/task.js';
import { mergePerTask, ReportLog } from './report-log.js';

const r = (taskId: string, state: TaskState, over: Partial<TaskStatusReport> = {}): TaskStatusReport => ({ taskId, state, error: '', atMs: 0, ...over });

function log(max = 100): { log: ReportLog; sent: TaskStatusReport[][] } {
  const sent: TaskStatusReport[][] = [];
  return { log: new ReportLog((batch) => sent.push(batch), max, silentLogger()), sent };
}

test('reports that move a task forward are queued; backward, repeated and post-terminal ones are dropped', () => {
  const cases: Array<[TaskState[], TaskState[]]> = [
    [['preparing', 'starting', 'running', 'complete'], ['preparing', 'starting', 'running', 'complete']],
    [['running', 'starting'], ['running']],
    [['running', 'running'], ['running']],
    [['failed', 'shutdown'], ['failed']],
    [['rejected', 'running'], ['rejected']],
    [['preparing', 'running'], ['preparing', 'running']],
  ];
  for (const [pushed, kept] of cases) {
    const { log: reports, sent } = log();
    for (const state of pushed) reports.push(r('t', state));
    reports.flush();
    assert.equal(sent.flat().map((x) => x.state), kept, pushed.join(' -> '));
  }
});

test('a health change is reported in the same state; the same health again is not', () => {
  const { log: reports, sent } = log();
  assert.ok(reports.push(r('t', 'running', { health: 'starting' })));
  assert.ok(reports.push(r('t', 'running', { health: 'healthy' })));
  assert.not.ok(reports.push(r('t', 'running', { health: 'healthy' })));
  assert.not.ok(reports.push(r('t', 'running')));
  assert.ok(reports.push(r('t', 'running', { health: 'unhealthy' })));
  reports.flush();
  assert.equal(sent.flat().map((x) => x.health), ['starting', 'healthy', 'unhealthy']);
});

test('the cluster\'s recorded state raises the floor: nothing at or behind it is reported', () => {
  const { log: reports, sent } = log();
  reports.observe('t', 'running');
  reports.observe('t', 'assigned'); // a stale record does not lower it
  assert.is(reports.stateOf('t'), 'running');
  assert.not.ok(reports.push(r('t', 'starting')));
  assert.ok(reports.push(r('t', 'failed')));
  reports.flush();
  assert.equal(sent.flat().map((x) => x.state), ['failed']);
});

test('one flush is one batch; an empty outbox sends nothing; a refused batch is kept in order', () => {
  let refuse = true;
  const sent: string[][] = [];
  const reports = new ReportLog((batch) => {
    if (refuse) throw new Error('down');
    sent.push(batch.map((x) => `${x.taskId}:${x.state}`));
  }, 100, silentLogger());
  reports.flush();
  reports.push(r('a', 'preparing'));
  reports.push(r('b', 'preparing'));
  reports.flush();
  assert.is(reports.pendingCount, 2);
  reports.push(r('a', 'running'));
  refuse = false;
  reports.flush();
  assert.equal(sent, [['a:preparing', 'b:preparing', 'a:running']]);
  assert.is(reports.pendingCount, 0);
});

test('past pendingReportsMax the outbox keeps one merged report per task, carrying the container id and exit code', () => {
  const reports = new ReportLog(() => { throw new Error('down'); }, 3, silentLogger());
  reports.push(r('a', 'starting', { containerId: 'c1' }));
  reports.push(r('b', 'preparing'));
  reports.push(r('a', 'running', { containerId: 'c1', health: 'starting' }));
  reports.push(r('a', 'failed', { exitCode: 3, error: 'exit code 3' }));
  assert.is(reports.pendingCount, 2);
  assert.equal(mergePerTask([r('a', 'starting', { containerId: 'c1' }), r('a', 'running', { health: 'healthy' }), r('a', 'failed', { exitCode: 3 })]), [
    r('a', 'failed', { containerId: 'c1', exitCode: 3, health: 'healthy' }),
  ]);
});

test('current() holds the newest report per task until the task is forgotten', () => {
  const { log: reports } = log();
  reports.push(r('a', 'preparing'));
  reports.push(r('a', 'running'));
  reports.push(r('b', 'rejected'));
  assert.equal(reports.current().map((x) => `${x.taskId}:${x.state}`), ['a:running', 'b:rejected']);
  reports.forget('a');
  assert.equal(reports.current().map((x) => x.taskId), ['b']);
  assert.is(reports.stateOf('a'), undefined);
});

test.run();
