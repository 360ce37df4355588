import { Text } from 'ink';
import type { Theme } from '../theme.js';
import type { UiState } from '../ui-state.js';

const hints = 'tab pane  ↑↓ select  ⏎ open  l logs  s scale  d drain  / filter  ? help  q quit';

function footerText(ui: UiState): string {
  const prompt = ui.prompt;
  if (prompt?.kind === 'filter') return `filter: ${prompt.text}▏  (enter keeps it, esc clears it)`;
  if (prompt?.kind === 'scale') return `scale ${prompt.service} to: ${prompt.text}▏  (enter applies, esc cancels)`;
  if (prompt?.kind === 'drain') return `drain ${prompt.hostname}? its tasks move to other nodes. y/N`;
  if (prompt?.kind === 'help') return 'any key closes the help; q quits';
  if (ui.notice !== '') return ui.notice;
  return ui.filter === '' ? hints : `filter "${ui.filter}" (esc clears)  ${hints}`;
}

/** The bottom line: the open prompt, else the last action's outcome, else the keys. */
export function FooterLine({ ui, width, theme }: { ui: UiState; width: number; theme: Theme }) {
  const asking = ui.prompt !== undefined && ui.prompt.kind !== 'help';
  return <Text wrap="truncate" color={asking ? theme.color('warn') : undefined} dimColor={theme.styled && !asking && ui.notice === ''}>{footerText(ui).slice(0, width)}</Text>;
}
