import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cellText, firstVisibleRow, fitColumns, type Column } from './columns.js';
import { bar, clip, compactBytes, compactCpus, compactDuration, timeOfDay } from './format.js';
import { dashboardLayout } from './layout.js';
import { eventColumns, nodeColumns, serviceColumns, taskColumns } from './pane-columns.js';
import { plainTheme, themeFor } from './theme.js';

/** Pure helpers of the screen: layout, column fitting, compact formats, the NO_COLOR theme. */

test('80x24 stacks the panes and uses every line; 160x48 puts them side by side', () => {
  const lines = (l: ReturnType<typeof dashboardLayout>) => [l.nodes, l.services, l.tasks, l.events].reduce((sum, p) => sum + p.rows + 2, 2);
  const crowded = dashboardLayout(80, 24, { nodes: 50, services: 50, tasks: 50 });
  assert.is(crowded.twoColumns, false);
  assert.is(lines(crowded), 24);
  assert.equal([crowded.nodes.rows, crowded.services.rows, crowded.tasks.rows, crowded.events.rows], [3, 5, 4, 2]);
  const wide = dashboardLayout(160, 48, { nodes: 50, services: 50, tasks: 50 });
  assert.is(wide.twoColumns, true);
  assert.is(wide.nodes.width + wide.tasks.width + 2, 160);
  assert.is(wide.nodes.rows + wide.services.rows + 4 + 2, 48);
  assert.is(wide.tasks.rows + wide.events.rows + 4 + 2, 48);
});

test('panes with few rows take only what they need (one line at least); the event feed gets the rest', () => {
  const small = dashboardLayout(80, 24, { nodes: 3, services: 3, tasks: 4 });
  assert.equal([small.nodes.rows, small.services.rows, small.tasks.rows, small.events.rows], [3, 3, 4, 4]);
  const empty = dashboardLayout(80, 24, { nodes: 0, services: 0, tasks: 0 });
  assert.equal([empty.nodes.rows, empty.services.rows, empty.tasks.rows, empty.events.rows], [1, 1, 1, 11]);
  const wide = dashboardLayout(160, 48, { nodes: 3, services: 3, tasks: 4 });
  assert.equal([wide.nodes.rows, wide.tasks.rows], [3, 4]);
  assert.is(wide.services.rows, 42 - 3, 'services get what nodes leave');
  assert.is(wide.events.rows, 42 - 4);
});

test('every pane\'s columns fit 78 characters (80 less the selection mark)', () => {
  for (const columns of [nodeColumns, serviceColumns, taskColumns, eventColumns] as Array<Column<never>[]>) {
    const fitted = fitColumns(columns, 78);
    assert.is(fitted.length, columns.filter((c) => c.header !== 'ID').length, fitted.map((f) => f.column.header).join(','));
  }
});

test('narrow panes drop the lowest-priority columns first; spare room goes by growOrder up to maxWidth', () => {
  const cols: Column<string>[] = [
    { header: 'A', minWidth: 5, maxWidth: 8, priority: 3, growOrder: 2, text: (r) => r },
    { header: 'B', minWidth: 5, priority: 1, text: (r) => r },
    { header: 'C', minWidth: 5, maxWidth: 20, priority: 2, growOrder: 1, text: (r) => r },
  ];
  assert.equal(fitColumns(cols, 12).map((f) => [f.column.header, f.width]), [['A', 5], ['C', 5]]);
  assert.equal(fitColumns(cols, 30).map((f) => [f.column.header, f.width]), [['A', 5], ['B', 5], ['C', 16]]);
  assert.equal(fitColumns(cols, 40).map((f) => [f.column.header, f.width]), [['A', 8], ['B', 5], ['C', 20]]);
  assert.equal(fitColumns(cols, 1).map((f) => f.column.header), ['A'], 'the most important column stays');
});

test('scrolling keeps the selection in view', () => {
  const table: Array<[number, number, number, number]> = [[3, 0, 5, 0], [10, 4, 5, 0], [10, 5, 5, 1], [10, 9, 5, 5], [10, -1, 5, 0]];
  for (const [count, selected, height, first] of table) assert.is(firstVisibleRow(count, selected, height), first, `${count} rows, ${selected} selected`);
});

test('compact formats', () => {
  const table: Array<[string, string]> = [
    [compactDuration(-5), '0s'], [compactDuration(59_999), '59s'], [compactDuration(60_000), '1m'], [compactDuration(3 * 3600_000), '3h'], [compactDuration(50 * 3600_000), '2d'],
    [compactBytes(0), '0B'], [compactBytes(1023), '1023B'], [compactBytes(64 * 1024 ** 2), '64Mi'], [compactBytes(1.5 * 1024 ** 3), '1.5Gi'], [compactBytes(2 * 1024 ** 3), '2Gi'],
    [compactCpus(500), '0.5'], [compactCpus(2000), '2'], [compactCpus(1250), '1.25'],
    [timeOfDay(Date.UTC(2026, 0, 1, 7, 8, 9)), '07:08:09'],
    [clip('abcdef', 4), 'abc…'], [clip('abc', 3), 'abc'], [clip('abc', 0), ''], [cellText('ab', 4, true), '  ab'],
    [bar(1, 3, 6), '██░░░░'], [bar(5, 3, 4), '████'], [bar(0, 0, 3), '░░░'],
  ];
  for (const [got, expected] of table) assert.is(got, expected);
});

test('NO_COLOR turns colours and styles off; an empty NO_COLOR does not', () => {
  assert.is(themeFor({ NO_COLOR: '1' }), plainTheme);
  assert.is(themeFor({ NO_COLOR: '' }).color('bad'), 'red');
  assert.is(themeFor({}).styled, true);
});

test.run();
