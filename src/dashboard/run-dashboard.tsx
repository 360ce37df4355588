import { render } from 'ink';
import type { ApiClient } from '../daemon/api-client.js';
import { ClusterFeed } from './cluster-feed.js';
import { Dashboard } from './components/dashboard.js';
import { apiActions } from './dashboard-actions.js';
import { themeFor } from './theme.js';

/** Ages on screen move once a second. */
const redrawEveryMs = 1000;

/** Escape sequences to switch to the terminal's alternate screen and back, so quitting restores what was there. */
const alternateScreen = { enter: '\x1b[?1049h\x1b[H', leave: '\x1b[?1049l' };

/** `swarmts dashboard`: draws the live dashboard on this terminal until `q`. */
export async function runDashboard(client: ApiClient, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const feed = new ClusterFeed(client, {
    nowMs: () => Date.now(),
    setTimeout: (run, ms) => setTimeout(run, ms),
    clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout | undefined),
  });
  feed.start();
  process.stdout.write(alternateScreen.enter);
  const app = render(
    <Dashboard source={feed} actions={apiActions(client)} theme={themeFor(env)} nowMs={() => Date.now()} redrawEveryMs={redrawEveryMs} />,
    { exitOnCtrlC: false, patchConsole: false },
  );
  try {
    await app.waitUntilExit();
  } finally {
    feed.stop();
    process.stdout.write(alternateScreen.leave);
  }
}
