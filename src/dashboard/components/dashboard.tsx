import { useApp, useInput, useStdout, type Key } from 'ink';
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { errorMessage } from '../../core/errors.js';
import type { DashboardActions } from '../dashboard-actions.js';
import { dashboardViewModel } from '../dashboard-view-model.js';
import { handleKey, type KeyEffect, type KeyPress } from '../keys.js';
import type { Theme } from '../theme.js';
import { initialUiState, type UiState } from '../ui-state.js';
import { DashboardView } from './dashboard-view.js';
import type { FeedState } from '../cluster-feed.js';

/** Where the dashboard's data comes from: the live ClusterFeed, or a fixed state in tests. */
export interface DashboardSource {
  current(): FeedState;
  subscribe(listener: () => void): () => void;
}

export interface DashboardProps {
  source: DashboardSource;
  actions: DashboardActions;
  theme: Theme;
  nowMs(): number;
  /** Redraw this often so ages move, ms; 0 never (tests). */
  redrawEveryMs: number;
  /** The screen size; default: the terminal's, following resizes. */
  size?: { columns: number; rows: number };
}

/** Lines of a followed service's output kept: a screen or two. */
const logLinesKept = 200;

function keyPress(input: string, key: Key): KeyPress | undefined {
  if (key.tab) return { name: key.shift ? 'backtab' : 'tab' };
  if (key.upArrow) return { name: 'up' };
  if (key.downArrow) return { name: 'down' };
  if (key.pageUp) return { name: 'pageup' };
  if (key.pageDown) return { name: 'pagedown' };
  if (key.return) return { name: 'enter' };
  if (key.escape) return { name: 'escape' };
  if (key.backspace || key.delete) return { name: 'backspace' };
  if (key.ctrl && input === 'c') return { name: 'char', char: 'q' };
  if (input.length > 0 && !key.ctrl && !key.meta) return { name: 'char', char: input };
  return undefined;
}

function useTerminalSize(fixed: DashboardProps['size']): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => fixed ?? { columns: stdout.columns || 80, rows: stdout.rows || 24 };
  const [size, setSize] = useState(read);
  useEffect(() => {
    if (fixed !== undefined) return;
    const resized = () => setSize(read());
    stdout.on('resize', resized);
    return () => void stdout.off('resize', resized);
  }, [stdout, fixed]);
  return fixed ?? size;
}

/** The live dashboard: the feed's state and the keyboard, drawn by DashboardView. */
export function Dashboard({ source, actions, theme, nowMs, redrawEveryMs, size }: DashboardProps) {
  const { exit } = useApp();
  const subscribe = useCallback((listener: () => void) => source.subscribe(listener), [source]);
  const current = useCallback(() => source.current(), [source]);
  const feed = useSyncExternalStore(subscribe, current);
  const [ui, setUi] = useState<UiState>(initialUiState);
  // Keys can arrive faster than renders: each must see the state the previous one left.
  const latestUi = useRef(ui);
  const [logLines, setLogLines] = useState<string[]>([]);
  const [, setTick] = useState(0);
  const { columns, rows } = useTerminalSize(size);
  const viewModel = (state: UiState) => dashboardViewModel(feed.snapshot, feed.connection, state, nowMs());
  const show = (next: UiState) => {
    latestUi.current = next;
    setUi(next);
  };

  useEffect(() => {
    if (redrawEveryMs <= 0) return;
    const timer = setInterval(() => setTick((n) => n + 1), redrawEveryMs);
    return () => clearInterval(timer);
  }, [redrawEveryMs]);

  useEffect(() => {
    if (ui.logsOf === undefined) return;
    const abort = new AbortController();
    setLogLines([]);
    void actions.followLogs(ui.logsOf, (line) => setLogLines((lines) => [...lines, line].slice(-logLinesKept)), abort.signal);
    return () => abort.abort();
  }, [ui.logsOf, actions]);

  const run = (effect: KeyEffect): void => {
    const done = (notice: string) => show({ ...latestUi.current, notice });
    if (effect.kind === 'quit') return exit();
    const request = effect.kind === 'scale' ? actions.scale(effect.service, effect.replicas) : actions.drain(effect.node);
    const what = effect.kind === 'scale' ? `scale ${effect.service} to ${effect.replicas}` : `drain ${effect.hostname}`;
    done(`${what}: sent`);
    request.then(() => done(`${what}: accepted`), (err: unknown) => done(`${what} failed: ${errorMessage(err)}`));
  };

  useInput((input, key) => {
    const press = keyPress(input, key);
    if (press === undefined) return;
    const result = handleKey(latestUi.current, press, viewModel(latestUi.current));
    show(result.ui);
    if (result.effect !== undefined) run(result.effect);
  });

  return <DashboardView vm={viewModel(ui)} ui={ui} columns={columns} rows={rows} theme={theme} logLines={logLines} />;
}
