/**
 * How the screen is shared: a header line, the four panes, a footer line. Below
 * `twoColumnWidthMin` the panes stack; at or above it nodes and services sit left, tasks
 * and events right, each pane taller. Every pane spends two lines on its title and its
 * column headers; the rest are rows.
 */

/** Columns at which the panes go side by side: two panes of ~75 characters each. */
export const twoColumnWidthMin = 150;

/** A terminal too small to draw into sensibly: the dashboard asks for more room instead. */
export const screenMin = { columns: 60, rows: 16 };

export interface PaneBox {
  width: number;
  /** Data rows, below the title and header lines. */
  rows: number;
}

export interface DashboardLayout {
  twoColumns: boolean;
  nodes: PaneBox;
  services: PaneBox;
  tasks: PaneBox;
  events: PaneBox;
}

/** Characters between the two columns of panes. */
export const paneGap = 2;

/** Lines a pane spends on its title and column headers. */
const paneChromeLines = 2;

/** Splits `total` rows by `weights`, remainders to the first panes; each gets at least 1. */
function split(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const shares = weights.map((w) => Math.max(1, Math.floor((total * w) / sum)));
  for (let i = 0, left = total - shares.reduce((a, b) => a + b, 0); left > 0; i = (i + 1) % shares.length, left--) shares[i]!++;
  return shares;
}

/** How many rows each table pane has to show, so panes with few take only what they need. */
export interface PaneRowCounts {
  nodes: number;
  services: number;
  tasks: number;
}

/** Cuts `share` to what `count` rows need (at least 1, for the "none" line); returns what is left over. */
function trim(share: number, count: number): [number, number] {
  const used = Math.max(1, Math.min(share, count));
  return [used, share - used];
}

/**
 * The panes' sizes. Nodes, services and tasks take no more rows than they have; what they
 * leave goes to the event feed, the one pane that always has more to show.
 */
export function dashboardLayout(columns: number, rows: number, counts: PaneRowCounts): DashboardLayout {
  const body = rows - 2;
  if (columns >= twoColumnWidthMin) {
    const left = Math.floor((columns - paneGap) / 2);
    const right = columns - left - paneGap;
    const [nodeShare, serviceShare] = split(body - 2 * paneChromeLines, [2, 3]);
    const [taskShare, eventShare] = split(body - 2 * paneChromeLines, [3, 2]);
    const [nodeRows, nodeSpare] = trim(nodeShare!, counts.nodes);
    const [taskRows, taskSpare] = trim(taskShare!, counts.tasks);
    return {
      twoColumns: true,
      nodes: { width: left, rows: nodeRows },
      services: { width: left, rows: serviceShare! + nodeSpare },
      tasks: { width: right, rows: taskRows },
      events: { width: right, rows: eventShare! + taskSpare },
    };
  }
  const [nodeShare, serviceShare, taskShare, eventShare] = split(body - 4 * paneChromeLines, [2, 3, 3, 2]);
  const [nodeRows, nodeSpare] = trim(nodeShare!, counts.nodes);
  const [serviceRows, serviceSpare] = trim(serviceShare!, counts.services);
  const [taskRows, taskSpare] = trim(taskShare! + nodeSpare + serviceSpare, counts.tasks);
  return {
    twoColumns: false,
    nodes: { width: columns, rows: nodeRows },
    services: { width: columns, rows: serviceRows },
    tasks: { width: columns, rows: taskRows },
    events: { width: columns, rows: eventShare! + taskSpare },
  };
}
