import { Box, Text } from 'ink';

const helpLines = [
  'Keys',
  '  tab, shift-tab   next, previous pane (▸ marks the focused one)',
  '  ↑ ↓, j k         select a row; pgup, pgdn move a page',
  '  enter            on a node or service: list its tasks; on a task: show it in full',
  '  esc              close the task, then the logs, then the filter',
  '  l                follow the selected service\'s logs',
  '  s                scale the selected service: type the replica count, enter',
  '  d                drain the selected node (asks first): its tasks move away',
  '  /                filter every pane as you type; enter keeps it, esc clears it',
  '  ?                this help      q  quit',
  '',
  'Columns',
  '  CPU, MEMORY      in use on the host (- unknown) / reserved by tasks / capacity',
  '  ROLE             a manager\'s raft part (leader, voter, learner), else the role',
  '  TASKS            tasks meant to run there; * marks this node',
  '  REPLICAS         running (and healthy) / desired',
  '',
  'Updates come from the daemon\'s event stream; when the daemon goes away the top',
  'line says so and the dashboard reconnects by itself.',
];

/** What `?` shows in place of the panes. */
export function HelpScreen({ width, height }: { width: number; height: number }) {
  return (
    <Box flexDirection="column" width={width} height={height}>
      {helpLines.slice(0, height).map((line, i) => <Text key={i} wrap="truncate">{line}</Text>)}
    </Box>
  );
}
