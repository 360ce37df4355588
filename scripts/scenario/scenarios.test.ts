import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repoRoot } from './repo-root.js';
import { startRunner } from './runner-process.js';
import { loadScenarioFile } from './scenario-file.js';
import { clusterCommandsAvailable } from './swarmts-cli.js';

/** Beyond the scenarios' own limits: process start-up, hosts and teardown of each. */
const perScenarioSlackMs = 60_000;

const scenarioDir = join(repoRoot, 'scenarios');
const files = readdirSync(scenarioDir).filter((f) => f.endsWith('.yml')).sort().map((f) => join(scenarioDir, f));
const loaded = await Promise.all(files.map(loadScenarioFile));
const ciScenarios = loaded.flatMap((r) => (r.ok && r.scenario.ci ? [r.scenario] : []));
const available = await clusterCommandsAvailable();
if (!available) console.log('SKIPPED: this build has no cluster commands (`swarmts init --help` does not show init\'s usage); build them, then run again');

(available ? test : test.skip)('every scenario marked ci: true passes against real daemons', async () => {
  assert.ok(ciScenarios.length > 0, 'no scenario is marked ci: true');
  const limitMs = ciScenarios.reduce((ms, s) => ms + s.timeoutMs + perScenarioSlackMs, 0);
  const { code, output, timedOut } = await startRunner(ciScenarios.map((s) => s.file), limitMs).done;
  assert.not.ok(timedOut, `the runner was still going after ${limitMs / 1000} s`);
  const failed = output.split('\n').filter((l) => /^(FAIL|SKIP) /.test(l));
  assert.is(code, 0, `scenarios did not pass:\n${failed.join('\n')}`);
});

test.run();
