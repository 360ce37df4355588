import { Text } from 'ink';
import type { Theme } from '../theme.js';

/** A pane's first line: `▸ Services 3 ─────…`; the arrow marks the focused pane (visible without colour too). */
export function PaneTitle({ title, focused, width, theme }: { title: string; focused: boolean; width: number; theme: Theme }) {
  const head = `${focused ? '▸' : ' '} ${title} `;
  const rule = '─'.repeat(Math.max(0, width - head.length));
  return (
    <Text wrap="truncate">
      <Text bold={theme.styled && focused} color={focused ? theme.color('info') : undefined}>{head}</Text>
      <Text dimColor={theme.styled}>{rule}</Text>
    </Text>
  );
}
