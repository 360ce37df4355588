/**
 * Runs one checked scenario: reserves a subnet, makes the hosts, starts a daemon in each,
 * carries out the steps in order (one printed line per step), and always tears everything
 * down, whether the steps passed, failed, timed out or were interrupted.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { formatMs } from './duration.js';
import { Hosts } from './hosts.js';
import { removeRunLeftovers, reserveRunDir } from './run-dir.js';
import { ScenarioWorld } from './scenario-world.js';
import { describeStep, type Scenario } from './scenario-types.js';
import { executeStep } from './step-executor.js';

/** Lines of each daemon's log printed when a step fails. */
const logTailLines = 12;
/** When set, each host's whole daemon log is copied to `<dir>/<scenario>/hN.log` before teardown. */
const keepLogsEnv = 'SWARMTS_SCENARIO_LOGS';

export interface ScenarioResult {
  pass: boolean;
  ms: number;
}

/** `signal` interrupts the run (SIGINT, SIGTERM); teardown happens before this resolves. */
export async function runScenario(scenario: Scenario, signal: AbortSignal, print: (line: string) => void): Promise<ScenarioResult> {
  const started = Date.now();
  const timeout = AbortSignal.timeout(scenario.timeoutMs);
  const abort = AbortSignal.any([signal, timeout]);
  const runDir = await reserveRunDir();
  print(`scenario ${scenario.name} (${scenario.file}): ${scenario.hostCount} hosts on 10.99.${runDir.subnet}.0/24, prefix ${runDir.prefix}, limit ${formatMs(scenario.timeoutMs)}`);
  let world: ScenarioWorld | undefined;
  let pass = false;
  try {
    const hosts = await Hosts.create({ prefix: runDir.prefix, count: scenario.hostCount, subnet: runDir.subnet });
    world = new ScenarioWorld(hosts, runDir);
    const w = world;
    const startMs = Date.now();
    await untilAborted(Promise.all(w.names.map((h) => w.daemon(h).start(abort))), abort);
    print(`  ok   [ 0/${scenario.steps.length}] hosts and daemons up (${formatMs(Date.now() - startMs)})`);
    pass = await runSteps(scenario, w, abort, print);
  } catch (err) {
    print(`  FAIL setting up: ${reason(err, abort, scenario)}`);
  } finally {
    const teardownStarted = Date.now();
    await world?.stopAll();
    if (world) keepLogs(scenario, world, print);
    await removeRunLeftovers(runDir);
    print(`  teardown (${formatMs(Date.now() - teardownStarted)})`);
  }
  const ms = Date.now() - started;
  print(`${pass ? 'PASS' : 'FAIL'} ${scenario.name} (${formatMs(ms)})`);
  return { pass, ms };
}

async function runSteps(scenario: Scenario, world: ScenarioWorld, abort: AbortSignal, print: (line: string) => void): Promise<boolean> {
  const total = scenario.steps.length;
  for (const [i, step] of scenario.steps.entries()) {
    const label = `[${String(i + 1).padStart(2)}/${total}] ${describeStep(step)}`;
    const stepStarted = Date.now();
    try {
      const detail = await untilAborted(executeStep(step, world, abort), abort);
      print(`  ok   ${label} (${formatMs(Date.now() - stepStarted)})${detail ? ` ${detail}` : ''}`);
    } catch (err) {
      print(`  FAIL ${label} (${formatMs(Date.now() - stepStarted)}) at ${step.where}`);
      print(indent(reason(err, abort, scenario)));
      for (const h of world.names) print(`    daemon log of ${h} (${world.daemon(h).running ? 'running' : 'stopped'}):\n${world.daemon(h).logTail(logTailLines)}`);
      return false;
    }
  }
  return true;
}

function keepLogs(scenario: Scenario, world: ScenarioWorld, print: (line: string) => void): void {
  const base = process.env[keepLogsEnv];
  if (!base) return;
  const dir = join(base, scenario.name);
  try {
    mkdirSync(dir, { recursive: true });
    for (const h of world.names) if (existsSync(world.daemon(h).logFile)) copyFileSync(world.daemon(h).logFile, join(dir, `${h}.log`));
    print(`  daemon logs kept in ${dir}`);
  } catch (err) {
    print(`  could not keep the daemon logs in ${dir}: ${(err as Error).message}`);
  }
}

/** Settles with `p`, or rejects as soon as `signal` aborts: a hung step cannot hold the run. */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function reason(err: unknown, abort: AbortSignal, scenario: Scenario): string {
  if (abort.aborted) {
    const why = abort.reason instanceof DOMException && abort.reason.name === 'TimeoutError' ? `the scenario's limit of ${formatMs(scenario.timeoutMs)} passed` : String(abort.reason instanceof Error ? abort.reason.message : abort.reason);
    return `aborted: ${why}`;
  }
  return err instanceof Error ? err.message : String(err);
}

function indent(text: string): string {
  return text.split('\n').map((l) => `    ${l}`).join('\n');
}
