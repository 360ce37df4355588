import { Box, Text } from 'ink';
import type { PaneBox } from '../layout.js';
import type { Theme } from '../theme.js';
import { PaneTitle } from './pane-title.js';

interface LinesPaneProps {
  title: string;
  focused: boolean;
  lines: string[];
  /** Whether the last lines show when not all fit (logs), rather than the first (a task in full). */
  tail: boolean;
  box: PaneBox;
  theme: Theme;
}

/** A pane of plain lines: a service's logs, a task in full. */
export function LinesPane({ title, focused, lines, tail, box, theme }: LinesPaneProps) {
  // No column headers here: the header line's row holds text too.
  const fit = box.rows + 1;
  const shown = tail ? lines.slice(-fit) : lines.slice(0, fit);
  return (
    <Box flexDirection="column" width={box.width} height={box.rows + 2}>
      <PaneTitle title={title} focused={focused} width={box.width} theme={theme} />
      {shown.map((line, i) => <Text key={i} wrap="truncate">{'  ' + line}</Text>)}
    </Box>
  );
}
