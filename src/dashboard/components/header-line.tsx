import { Box, Text } from 'ink';
import type { DashboardViewModel } from '../dashboard-view-model.js';
import type { Theme } from '../theme.js';

/** The top line: what the cluster looks like, and whether the daemon is there. */
export function HeaderLine({ vm, width, theme }: { vm: DashboardViewModel; width: number; theme: Theme }) {
  const status = ` ${vm.connection}`;
  const left = `swarmts · ${vm.summary}`;
  const room = Math.max(0, width - status.length);
  return (
    <Box width={width}>
      <Text wrap="truncate" bold={theme.styled}>{left.length > room ? left.slice(0, Math.max(0, room - 1)) + '…' : left.padEnd(room)}</Text>
      <Text wrap="truncate" color={theme.color(vm.connectionOk ? 'good' : 'bad')}>{status}</Text>
    </Box>
  );
}
