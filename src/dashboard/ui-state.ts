/** The dashboard's keyboard state: which pane has focus, what is selected, what prompt is open. */

export type PaneName = 'nodes' | 'services' | 'tasks' | 'events';

/** Tab order. */
export const paneOrder: readonly PaneName[] = ['nodes', 'services', 'tasks', 'events'];

/** A prompt or overlay that takes the keyboard until it closes. */
export type Prompt =
  | { kind: 'filter'; text: string }
  | { kind: 'scale'; serviceId: string; service: string; text: string }
  | { kind: 'drain'; nodeId: string; hostname: string }
  | { kind: 'help' };

export interface UiState {
  focus: PaneName;
  /** Selected row per pane, by id, so a refetch that reorders rows keeps it; undefined selects the first. */
  selected: Record<PaneName, string | undefined>;
  /** What the tasks pane lists: the selected service's tasks, or (after enter on a node) the selected node's. */
  taskScope: 'service' | 'node';
  /** The `/` filter, applied to every pane. */
  filter: string;
  prompt: Prompt | undefined;
  /** Whose logs the tasks pane follows instead (after `l`): a service's full name. */
  logsOf: string | undefined;
  /** Whether the tasks pane shows the selected task in full (after enter on a task). */
  taskDetail: boolean;
  /** The last action's outcome, shown in the footer until the next key. */
  notice: string;
}

export function initialUiState(): UiState {
  return {
    focus: 'services',
    selected: { nodes: undefined, services: undefined, tasks: undefined, events: undefined },
    taskScope: 'service',
    filter: '',
    prompt: undefined,
    logsOf: undefined,
    taskDetail: false,
    notice: '',
  };
}
