import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { FeedState } from '../cluster-feed.js';
import type { DashboardActions } from '../dashboard-actions.js';
import { renderAt, settled } from '../test-render.js';
import { fixtureNowMs, nodeIds, sampleSnapshot } from '../test-fixtures.js';
import { plainTheme } from '../theme.js';
import { Dashboard } from './dashboard.js';

/** The keyboard through ink, on the sample cluster: what each key shows and does. */

const keys = { tab: '\t', up: '\x1b[A', down: '\x1b[B', enter: '\r', escape: '\x1b', backspace: '\x7f' };

function start() {
  const calls: string[] = [];
  const actions: DashboardActions = {
    scale: async (service, replicas) => void calls.push(`scale ${service} ${replicas}`),
    drain: async (node) => void calls.push(`drain ${node}`),
    followLogs: async (service, onLine, signal) => {
      calls.push(`logs ${service}`);
      onLine(`${service}.1: hello`);
      await new Promise((resolve) => signal.addEventListener('abort', resolve));
      calls.push(`logs ${service} stopped`);
    },
  };
  const state: FeedState = { snapshot: sampleSnapshot(), connection: { state: 'live' } };
  const source = { current: () => state, subscribe: () => () => undefined };
  const screen = renderAt(<Dashboard source={source} actions={actions} theme={plainTheme} nowMs={() => fixtureNowMs} redrawEveryMs={0} size={{ columns: 80, rows: 24 }} />, 80);
  const press = async (...input: string[]) => {
    for (const key of input) {
      screen.stdin.write(key);
      await settled();
    }
  };
  return { calls, screen, press, frame: () => screen.lastFrame()! };
}

test('arrows select a service and the tasks pane follows it; tab moves the focus', async () => {
  const { press, frame, screen } = start();
  await settled();
  assert.match(frame(), '▸ web_agent');
  await press(keys.down);
  assert.match(frame(), '▸ web_web');
  assert.match(frame(), 'tasks of web_web (4)');
  await press(keys.tab);
  assert.match(frame(), '▸ tasks of web_web');
  await press(keys.down, keys.down);
  assert.match(frame(), '▸ web_web.3');
  screen.unmount();
});

test('enter on a node lists its tasks; enter on a task shows it in full; esc goes back', async () => {
  const { press, frame, screen } = start();
  await press('\x1b[Z', keys.enter);
  assert.match(frame(), '▸ tasks on node-a (5)');
  await press(keys.down, keys.enter);
  assert.match(frame(), 'tasks on node-a: web_web.1 (esc closes)');
  assert.match(frame(), 'state      running for 4m, healthy');
  await press(keys.escape);
  assert.match(frame(), '▸ tasks on node-a (5)');
  screen.unmount();
});

test('s asks for a replica count, ignores letters, and scales on enter; esc cancels', async () => {
  const { press, frame, calls, screen } = start();
  await press(keys.down, 's');
  assert.match(frame(), 'scale web_web to: ▏');
  await press('1', 'x', '2', keys.backspace, '0');
  assert.match(frame(), 'scale web_web to: 10▏');
  await press(keys.enter);
  assert.equal(calls, ['scale web_web 10']);
  assert.match(frame(), 'scale web_web to 10: accepted');
  await press('s', '3', keys.escape);
  assert.equal(calls, ['scale web_web 10']);
  screen.unmount();
});

test('s on a global service explains why it cannot scale', async () => {
  const { press, frame, calls, screen } = start();
  await press('s');
  assert.match(frame(), 'web_agent is global (one task per node): it has no replica count');
  assert.equal(calls, []);
  screen.unmount();
});

test('d asks before draining the selected node: only y drains', async () => {
  const { press, frame, calls, screen } = start();
  await press('\x1b[Z', 'd');
  assert.match(frame(), 'drain node-a? its tasks move to other nodes. y/N');
  await press('n');
  assert.match(frame(), 'drain of node-a cancelled');
  assert.equal(calls, []);
  await press(keys.down, 'd', 'y');
  assert.equal(calls, [`drain ${nodeIds.b}`]);
  assert.match(frame(), 'drain node-b: accepted');
  screen.unmount();
});

test('/ filters every pane as typed; esc clears the filter', async () => {
  const { press, frame, screen } = start();
  await press('/', 'w', 'o', 'r', 'k');
  assert.match(frame(), 'filter: work▏');
  assert.match(frame(), 'services (1)');
  assert.not.match(frame(), 'web_agent');
  await press(keys.enter);
  assert.match(frame(), 'filter "work" (esc clears)');
  await press(keys.escape);
  assert.match(frame(), 'services (3)');
  screen.unmount();
});

test('l follows the selected service\'s logs until esc', async () => {
  const { press, frame, calls, screen } = start();
  await press(keys.down, 'l');
  assert.match(frame(), 'logs of web_web (following; esc closes)');
  assert.match(frame(), 'web_web.1: hello');
  await press(keys.escape);
  assert.equal(calls, ['logs web_web', 'logs web_web stopped']);
  assert.match(frame(), 'tasks of web_web (4)');
  screen.unmount();
});

test('? shows the help, any key closes it; q quits', async () => {
  const { press, frame } = start();
  await press('?');
  assert.match(frame(), 'follow the selected service\'s logs');
  await press('x');
  assert.match(frame(), 'services (3)');
  await press('q');
  // Quitting unmounts the app: keys after it change nothing.
  await press('?');
  assert.not.match(frame(), 'follow the selected service\'s logs');
});

test.run();
