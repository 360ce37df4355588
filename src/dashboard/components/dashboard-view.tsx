import { Box, Text } from 'ink';
import type { DashboardViewModel } from '../dashboard-view-model.js';
import { dashboardLayout, paneGap, screenMin } from '../layout.js';
import { eventColumns, nodeColumns, serviceColumns, taskColumns } from '../pane-columns.js';
import type { Theme } from '../theme.js';
import type { UiState } from '../ui-state.js';
import { taskDetailLines } from '../view-model-tasks.js';
import { FooterLine } from './footer-line.js';
import { HeaderLine } from './header-line.js';
import { HelpScreen } from './help-screen.js';
import { LinesPane } from './lines-pane.js';
import { TablePane } from './table-pane.js';

export interface DashboardViewProps {
  vm: DashboardViewModel;
  ui: UiState;
  columns: number;
  rows: number;
  theme: Theme;
  /** The followed service's output, oldest first, when `ui.logsOf` is set. */
  logLines: string[];
}

/** The whole screen, a pure function of its props: header, the four panes, footer. */
export function DashboardView({ vm, ui, columns, rows, theme, logLines }: DashboardViewProps) {
  if (columns < screenMin.columns || rows < screenMin.rows) {
    return <Text>{`swarmts dashboard needs at least ${screenMin.columns}x${screenMin.rows}; this terminal is ${columns}x${rows}`}</Text>;
  }
  // Logs and a task in full take the tasks pane's whole share.
  const taskLines = ui.logsOf !== undefined || ui.taskDetail ? Infinity : vm.tasks.rows.length;
  const layout = dashboardLayout(columns, rows, { nodes: vm.nodes.rows.length, services: vm.services.rows.length, tasks: taskLines });
  const focused = ui.prompt?.kind === 'help' ? undefined : ui.focus;
  const task = vm.tasks.rows[vm.tasks.selected];
  const tasksPane = ui.logsOf !== undefined
    ? <LinesPane title={`logs of ${ui.logsOf} (following; esc closes)`} focused={focused === 'tasks'} lines={logLines} tail box={layout.tasks} theme={theme} />
    : ui.taskDetail && task !== undefined
      ? <LinesPane title={`${vm.tasks.title}: ${task.name} (esc closes)`} focused={focused === 'tasks'} lines={taskDetailLines(task)} tail={false} box={layout.tasks} theme={theme} />
      : <TablePane title={vm.tasks.title} focused={focused === 'tasks'} columns={taskColumns} model={vm.tasks} box={layout.tasks} theme={theme} empty="no tasks" />;
  const nodes = <TablePane title="nodes" focused={focused === 'nodes'} columns={nodeColumns} model={vm.nodes} box={layout.nodes} theme={theme} empty="no nodes: is this node in a cluster? (swarmts init)" />;
  const services = <TablePane title="services" focused={focused === 'services'} columns={serviceColumns} model={vm.services} box={layout.services} theme={theme} empty="no services: swarmts stack deploy -c stack.yml NAME" />;
  const events = <TablePane title="events" focused={focused === 'events'} columns={eventColumns} model={vm.events} box={layout.events} theme={theme} empty="no events yet" />;
  const body = ui.prompt?.kind === 'help'
    ? <HelpScreen width={columns} height={rows - 2} />
    : layout.twoColumns
      ? (
        <Box flexDirection="row" gap={paneGap}>
          <Box flexDirection="column">{nodes}{services}</Box>
          <Box flexDirection="column">{tasksPane}{events}</Box>
        </Box>
      )
      : <Box flexDirection="column">{nodes}{services}{tasksPane}{events}</Box>;
  return (
    <Box flexDirection="column" width={columns} height={rows}>
      <HeaderLine vm={vm} width={columns} theme={theme} />
      {body}
      <FooterLine ui={ui} width={columns} theme={theme} />
    </Box>
  );
}
