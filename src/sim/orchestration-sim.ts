import { SeededRandom, type Random } from '../core/random.js';
import { converged, OrchestrationRun, type RunOptions } from './orchestration-run.js';
import { scenarios, type ScenarioName } from './orchestration-scenarios.js';

/**
 * One run of the orchestration simulation: a cluster of `nodes` nodes is built from the
 * seed, a stack is deployed, a scenario (or seeded random faults) plays out while every
 * invariant is checked (orchestration-invariants.ts at every applied index and pass, the
 * time-bounded ones in orchestration-run.ts), then every fault is healed and the cluster
 * must reach the desired state within `settleMs` of virtual time. A failure throws
 * OrchestrationSimFailure with the seed, the trace and the command that replays it.
 */

/** A run's shape and scenario. */
export interface OrchestrationSimOptions extends RunOptions {
  scenario: ScenarioName;
}

export function defaultOrchestrationSimOptions(nodes: number, scenario: ScenarioName): OrchestrationSimOptions {
  return { nodes, scenario, randomSteps: 60, settleMs: 60_000, reactionBoundMs: 5_000 };
}

export interface OrchestrationSimStats {
  virtualMs: number;
  passes: number;
  commands: number;
  appliedIndexMax: number;
  termMax: number;
  nodeCrashes: number;
  containerCrashes: number;
  operatorOps: number;
  checkedIndexes: number;
  /** Store states checked against a clean stop-first update's floor. */
  floorChecks: number;
  tasks: number;
}

/** A failed run: names the seed, the size, the scenario, and how to replay it. */
export class OrchestrationSimFailure extends Error {
  override readonly name = 'OrchestrationSimFailure';
  readonly replayCommand: string;
  constructor(
    readonly seed: number,
    readonly nodes: number,
    readonly scenario: ScenarioName,
    readonly reason: string,
    readonly traceTail: readonly string[],
  ) {
    const replayCommand = `SWARMTS_SEED=${seed} SWARMTS_SIM_NODES=${nodes} SWARMTS_SIM_SCENARIO=${scenario} SWARMTS_SIM_TRACE=1 npx tsx src/sim/orchestration-sim-run.ts`;
    super(`orchestration simulation failed: ${nodes} nodes, scenario ${scenario}, seed ${seed}: ${reason}\n  last events:\n    ${traceTail.join('\n    ')}\n  replay: ${replayCommand}`);
    this.replayCommand = replayCommand;
  }
}

function stackYaml(nodes: number, random: Random): string {
  const order = random.chance(0.5) ? 'start-first' : 'stop-first';
  return `services:
  web:
    image: busybox:1
    deploy:
      replicas: ${Math.min(12, Math.max(3, Math.ceil(nodes / 4)))}
      update_config:
        parallelism: ${random.intBetween(1, 2)}
        delay: 1s
        order: ${order}
        failure_action: rollback
        monitor: 5s
      rollback_config:
        parallelism: ${random.intBetween(1, 2)}
        order: ${random.chance(0.5) ? 'start-first' : 'stop-first'}
      restart_policy:
        condition: any
        delay: 500ms
  api:
    image: busybox:1
    healthcheck:
      test: ["CMD", "true"]
      interval: 1s
    deploy:
      replicas: ${Math.min(6, Math.max(2, Math.ceil(nodes / 8)))}
      update_config:
        parallelism: ${random.intBetween(1, 2)}
        order: start-first
        failure_action: pause
      restart_policy:
        condition: on-failure
        delay: 200ms
        max_attempts: 3
  agent:
    image: busybox:1
    deploy:
      mode: global
      update_config:
        parallelism: 10
  edge:
    image: busybox:1
    deploy:
      replicas: 2
      placement:
        constraints: [node.labels.zone == a]
  monitor:
    image: busybox:1
    deploy:
      mode: global
      update_config:
        parallelism: 5
        order: start-first
      placement:
        constraints: [node.labels.zone == a]
`;
}

/** Runs one seed; throws OrchestrationSimFailure on any violation or a missed deadline. */
export function runOrchestrationSim(seed: number, options: OrchestrationSimOptions, trace?: (line: string) => void): OrchestrationSimStats {
  const random = new SeededRandom(seed);
  const lossy = options.scenario === 'random' && random.chance(0.5);
  const run = new OrchestrationRun(random, options, lossy);
  const cluster = run.cluster;
  let traced = 0;
  const flushTrace = () => {
    for (; traced < cluster.trace.length; traced++) trace?.(cluster.trace[traced]!);
  };
  try {
    cluster.start();
    if (!run.runUntil(20_000, (store) => store.nodeList().length === options.nodes)) throw new Error('liveness: the nodes were not all registered within 20 s');
    for (const id of run.zoneNodes()) run.zone(id, true, false);
    run.deploy(stackYaml(options.nodes, random));
    if (!run.runUntil(30_000, () => cluster.operatorIdle() && converged(run).ok)) throw new Error(`liveness: the first deploy did not converge within 30 s: ${converged(run).why}`);
    flushTrace();
    scenarios[options.scenario](run);
    flushTrace();
    settle(run);
    flushTrace();
  } catch (err) {
    flushTrace();
    const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    throw new OrchestrationSimFailure(seed, options.nodes, options.scenario, `at ${cluster.loop.nowMs()} ms (step ${run.step()}): ${reason}`, cluster.trace.slice(-25));
  }
  const leader = cluster.leader()!;
  return {
    virtualMs: cluster.loop.nowMs(),
    passes: cluster.counters.passes,
    commands: cluster.counters.commands,
    appliedIndexMax: leader.appliedIndex(),
    termMax: leader.node().status().term,
    nodeCrashes: cluster.counters.nodeCrashes,
    containerCrashes: cluster.counters.containerCrashes,
    operatorOps: cluster.counters.operatorOps,
    checkedIndexes: cluster.invariants.counters.checkedIndexes,
    floorChecks: cluster.invariants.counters.floorChecks,
    tasks: leader.store.taskList().length,
  };
}

/** Heals everything, puts every service and node right, and demands convergence within settleMs. */
function settle(run: OrchestrationRun): void {
  const cluster = run.cluster;
  cluster.network.heal();
  cluster.log('heal, restart every node');
  for (const id of cluster.ids()) cluster.restart(id);
  run.faulted();
  const store = () => run.store();
  // Let the operator's queued commands land first, so the repairs below come after them.
  run.runUntil(20_000, () => cluster.operatorIdle());
  // The whole stack again, should a service have been pruned or the stack removed.
  run.deploy();
  for (const node of store()?.nodeList() ?? []) if (node.availability !== 'active') run.availability(node.id, 'active');
  for (const id of run.zoneNodes()) if (store()?.node(id)?.labels['zone'] !== 'a') run.zone(id, true);
  // A last rolling update of every service to a good image: it also gives slots that gave up
  // under the restart policy (max_attempts) a fresh start, as `docker service update` does.
  for (const service of store()?.serviceList() ?? []) run.update(service.fullName, 'busybox:final');
  const deadline = run.now() + run.options.settleMs;
  let state = converged(run);
  while (!(state.ok && cluster.operatorIdle()) && run.now() < deadline) {
    run.run(500);
    state = converged(run);
  }
  if (!state.ok) throw new Error(`liveness: not converged ${run.options.settleMs} ms after the faults stopped: ${state.why}`);
}
