import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { projectRoot } from '../../core/project-root.js';
import { dashboardViewModel, type Connection } from '../dashboard-view-model.js';
import { renderAt, settled } from '../test-render.js';
import { fixtureNowMs, sampleSnapshot } from '../test-fixtures.js';
import { plainTheme } from '../theme.js';
import { initialUiState, type UiState } from '../ui-state.js';
import { DashboardView } from './dashboard-view.js';

/**
 * Golden frames of the whole screen at 80x24 and 160x48, one per focused pane and per
 * overlay, drawn from the sample cluster at a fixed time. SWARMTS_UPDATE_GOLDEN=1
 * rewrites src/dashboard/testdata/*.txt; read the diff before committing it.
 */

const dir = join(projectRoot(), 'src/dashboard/testdata');
const update = process.env['SWARMTS_UPDATE_GOLDEN'] === '1';
const live: Connection = { state: 'live' };

const cases: Array<{ name: string; ui: Partial<UiState>; connection?: Connection; logLines?: string[] }> = [
  { name: 'nodes', ui: { focus: 'nodes' } },
  { name: 'services', ui: { focus: 'services', selected: { nodes: undefined, services: 'svcweb', tasks: undefined, events: undefined } } },
  { name: 'tasks', ui: { focus: 'tasks', selected: { nodes: undefined, services: 'svcworker', tasks: 'twork2', events: undefined } } },
  { name: 'events', ui: { focus: 'events' } },
  { name: 'task-detail', ui: { focus: 'tasks', taskDetail: true, selected: { nodes: undefined, services: 'svcworker', tasks: 'twork2', events: undefined } } },
  { name: 'node-tasks', ui: { focus: 'tasks', taskScope: 'node', selected: { nodes: 'x', services: undefined, tasks: undefined, events: undefined } } },
  { name: 'logs', ui: { focus: 'tasks', logsOf: 'web_web' }, logLines: ['web_web.1: GET / 200', 'web_web.2: GET / 200', 'web_web.3: starting httpd'] },
  { name: 'filter', ui: { prompt: { kind: 'filter', text: 'work' }, filter: 'work' } },
  { name: 'scale-prompt', ui: { prompt: { kind: 'scale', serviceId: 'svcweb', service: 'web_web', text: '5' } } },
  { name: 'drain-confirm', ui: { focus: 'nodes', prompt: { kind: 'drain', nodeId: 'x', hostname: 'node-a' } } },
  { name: 'help', ui: { prompt: { kind: 'help' } } },
  { name: 'daemon-lost', ui: {}, connection: { state: 'lost', error: 'cannot reach the swarmts daemon at /run/swarmts/swarmts.sock', retryAtMs: fixtureNowMs + 4000 } },
];

for (const c of cases) {
  for (const [columns, rows] of [[80, 24], [160, 48]] as const) {
    test(`${c.name} at ${columns}x${rows} matches testdata/${c.name}-${columns}x${rows}.txt`, async () => {
      const ui = { ...initialUiState(), ...c.ui };
      const vm = dashboardViewModel(sampleSnapshot(), c.connection ?? live, ui, fixtureNowMs);
      const screen = renderAt(<DashboardView vm={vm} ui={ui} columns={columns} rows={rows} theme={plainTheme} logLines={c.logLines ?? []} />, columns);
      await settled();
      const frame = screen.lastFrame()! + '\n';
      screen.unmount();
      const lines = frame.trimEnd().split('\n');
      assert.ok(lines.length <= rows, `${lines.length} lines do not fit ${rows}`);
      assert.ok(lines.every((l) => [...l].length <= columns), `a line is wider than ${columns}`);
      const golden = join(dir, `${c.name}-${columns}x${rows}.txt`);
      if (update) writeFileSync(golden, frame);
      assert.fixture(frame, readFileSync(golden, 'utf8'));
    });
  }
}

test.run();
