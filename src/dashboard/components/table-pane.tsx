import { Box, Text } from 'ink';
import { cellText, columnGap, firstVisibleRow, fitColumns, type Column } from '../columns.js';
import type { PaneModel } from '../dashboard-view-model.js';
import type { PaneBox } from '../layout.js';
import type { Theme } from '../theme.js';
import { PaneTitle } from './pane-title.js';

interface TablePaneProps<R> {
  title: string;
  focused: boolean;
  columns: Column<R>[];
  model: PaneModel<R>;
  box: PaneBox;
  theme: Theme;
  /** Shown in place of rows when there are none. */
  empty: string;
}

/** Characters before the first column: the selection mark and a space. */
const markWidth = 2;

/** A pane as a table: title, column headers, then the rows that fit, scrolled to keep the selection in view. */
export function TablePane<R extends { id: string }>({ title, focused, columns, model, box, theme, empty }: TablePaneProps<R>) {
  const fitted = fitColumns(columns, box.width - markWidth);
  const gap = ' '.repeat(columnGap);
  const first = firstVisibleRow(model.rows.length, model.selected, box.rows);
  const shown = model.rows.slice(first, first + box.rows);
  const range = model.rows.length > box.rows ? ` (${first + 1}-${first + shown.length} of ${model.rows.length})` : model.rows.length > 0 ? ` (${model.rows.length})` : '';
  return (
    <Box flexDirection="column" width={box.width} height={box.rows + 2}>
      <PaneTitle title={title + range} focused={focused} width={box.width} theme={theme} />
      <Text wrap="truncate" bold={theme.styled}>{' '.repeat(markWidth) + fitted.map((f) => cellText(f.column.header, f.width, f.column.alignRight)).join(gap).trimEnd()}</Text>
      {shown.length === 0 ? <Text dimColor={theme.styled}>{'  ' + empty}</Text> : null}
      {shown.map((row, i) => {
        const selected = first + i === model.selected;
        return (
          <Text key={row.id} wrap="truncate" inverse={theme.styled && selected && focused}>
            {selected ? (focused ? '▸ ' : '› ') : '  '}
            {fitted.map((f, c) => (
              <Text key={f.column.header} color={theme.color(f.column.tone?.(row) ?? 'plain')}>
                {(c === 0 ? '' : gap) + cellText(f.column.text(row), f.width, f.column.alignRight)}
              </Text>
            ))}
          </Text>
        );
      })}
    </Box>
  );
}
