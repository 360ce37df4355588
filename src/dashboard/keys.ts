import type { DashboardViewModel, PaneModel } from './dashboard-view-model.js';
import { paneOrder, type PaneName, type UiState } from './ui-state.js';

/** A key press, from ink's useInput: a named key, or the character typed. */
export type KeyPress =
  | { name: 'tab' | 'backtab' | 'up' | 'down' | 'pageup' | 'pagedown' | 'enter' | 'escape' | 'backspace' }
  | { name: 'char'; char: string };

/** What the dashboard must do after a key, besides redrawing. */
export type KeyEffect =
  | { kind: 'quit' }
  | { kind: 'scale'; service: string; replicas: number }
  | { kind: 'drain'; node: string; hostname: string };

export interface KeyResult {
  ui: UiState;
  effect?: KeyEffect;
}

/** Rows a page key moves: about a small pane's height. */
const pageRows = 5;

/** The keyboard, as a pure function: the next UI state and what to do. */
export function handleKey(ui: UiState, key: KeyPress, vm: DashboardViewModel): KeyResult {
  const state = ui.notice === '' ? ui : { ...ui, notice: '' };
  if (state.prompt !== undefined) return promptKey(state, key);
  return browseKey(state, key, vm);
}

function promptKey(ui: UiState, key: KeyPress): KeyResult {
  const prompt = ui.prompt!;
  const close = (changes: Partial<UiState> = {}): KeyResult => ({ ui: { ...ui, prompt: undefined, ...changes } });
  switch (prompt.kind) {
    case 'help':
      return key.name === 'char' && key.char === 'q' ? { ui, effect: { kind: 'quit' } } : close();
    case 'drain':
      if (key.name === 'char' && key.char.toLowerCase() === 'y') return { ui: { ...ui, prompt: undefined }, effect: { kind: 'drain', node: prompt.nodeId, hostname: prompt.hostname } };
      return close({ notice: `drain of ${prompt.hostname} cancelled` });
    case 'filter':
      // The filter applies as it is typed; enter keeps it, escape drops it.
      if (key.name === 'enter') return close();
      if (key.name === 'escape') return close({ filter: '' });
      if (key.name === 'backspace') return edited(ui, prompt.text.slice(0, -1));
      if (key.name === 'char') return edited(ui, prompt.text + key.char);
      return { ui };
    case 'scale': {
      if (key.name === 'escape') return close();
      if (key.name === 'backspace') return { ui: { ...ui, prompt: { ...prompt, text: prompt.text.slice(0, -1) } } };
      if (key.name === 'char' && /^\d+$/.test(key.char) && prompt.text.length < 6) return { ui: { ...ui, prompt: { ...prompt, text: prompt.text + key.char } } };
      if (key.name === 'enter' && prompt.text !== '') return { ui: { ...ui, prompt: undefined }, effect: { kind: 'scale', service: prompt.service, replicas: Number(prompt.text) } };
      return { ui };
    }
  }
}

function edited(ui: UiState, text: string): KeyResult {
  return { ui: { ...ui, filter: text, prompt: { kind: 'filter', text } } };
}

function browseKey(ui: UiState, key: KeyPress, vm: DashboardViewModel): KeyResult {
  const selectedService = vm.services.rows[vm.services.selected];
  const selectedNode = vm.nodes.rows[vm.nodes.selected];
  switch (key.name) {
    case 'tab': return { ui: { ...ui, focus: paneOrder[(paneOrder.indexOf(ui.focus) + 1) % paneOrder.length]! } };
    case 'backtab': return { ui: { ...ui, focus: paneOrder[(paneOrder.indexOf(ui.focus) + paneOrder.length - 1) % paneOrder.length]! } };
    case 'up': return { ui: moved(ui, vm, -1) };
    case 'down': return { ui: moved(ui, vm, 1) };
    case 'pageup': return { ui: moved(ui, vm, -pageRows) };
    case 'pagedown': return { ui: moved(ui, vm, pageRows) };
    case 'enter': return { ui: drilledIn(ui) };
    case 'escape': return { ui: backedOut(ui) };
    case 'backspace': return { ui };
    case 'char': break;
  }
  switch (key.char) {
    case 'q': return { ui, effect: { kind: 'quit' } };
    case '?': return { ui: { ...ui, prompt: { kind: 'help' } } };
    case '/': return { ui: { ...ui, prompt: { kind: 'filter', text: ui.filter } } };
    case 'j': return { ui: moved(ui, vm, 1) };
    case 'k': return { ui: moved(ui, vm, -1) };
    case 'l':
      if (selectedService === undefined) return { ui: { ...ui, notice: 'no service selected: pick one in the services pane' } };
      return { ui: { ...ui, logsOf: selectedService.name, taskScope: 'service', taskDetail: false, focus: 'tasks' } };
    case 's':
      if (selectedService === undefined) return { ui: { ...ui, notice: 'no service selected: pick one in the services pane' } };
      if (selectedService.mode === 'global') return { ui: { ...ui, notice: `${selectedService.name} is global (one task per node): it has no replica count` } };
      return { ui: { ...ui, prompt: { kind: 'scale', serviceId: selectedService.id, service: selectedService.name, text: '' } } };
    case 'd':
      if (selectedNode === undefined) return { ui: { ...ui, notice: 'no node selected: pick one in the nodes pane' } };
      return { ui: { ...ui, prompt: { kind: 'drain', nodeId: selectedNode.id, hostname: selectedNode.hostname } } };
    default: return { ui };
  }
}

function moved(ui: UiState, vm: DashboardViewModel, by: number): UiState {
  const model: PaneModel<{ id: string }> = vm[ui.focus];
  if (model.rows.length === 0) return ui;
  const at = Math.min(model.rows.length - 1, Math.max(0, model.selected + by));
  const selected = { ...ui.selected, [ui.focus]: model.rows[at]!.id };
  // A different service or node means a different task list: its selection starts over.
  const resetTasks = ui.focus === 'services' || ui.focus === 'nodes';
  return { ...ui, selected: resetTasks ? { ...selected, tasks: undefined } : selected, taskDetail: resetTasks ? false : ui.taskDetail };
}

const drillTargets: Partial<Record<PaneName, UiState['taskScope']>> = { nodes: 'node', services: 'service' };

function drilledIn(ui: UiState): UiState {
  if (ui.focus === 'tasks') return { ...ui, taskDetail: !ui.taskDetail };
  const scope = drillTargets[ui.focus];
  if (scope === undefined) return ui;
  return { ...ui, focus: 'tasks', taskScope: scope, logsOf: undefined, taskDetail: false, selected: { ...ui.selected, tasks: undefined } };
}

/** Escape closes the innermost thing open: a task's detail, the logs, then the filter. */
function backedOut(ui: UiState): UiState {
  if (ui.taskDetail) return { ...ui, taskDetail: false };
  if (ui.logsOf !== undefined) return { ...ui, logsOf: undefined };
  return { ...ui, filter: '' };
}
