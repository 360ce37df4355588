import { converged, type OrchestrationRun } from './orchestration-run.js';

/**
 * What happens in a run after the first deploy converged: six scripted scenarios of the
 * faults the issue names, and `random`, where the seed draws a fault or an operator
 * command every 100..1000 virtual ms.
 */

export const scenarioNames = ['deploy-scale', 'node-crash', 'leader-partition', 'failover-during-update', 'drain', 'failed-update', 'random'] as const;
export type ScenarioName = (typeof scenarioNames)[number];

/** Picks an up node that is not the leader, or undefined. */
function someWorker(run: OrchestrationRun, up = true): string | undefined {
  const leader = run.cluster.leader()?.id;
  const ids = run.cluster.ids().filter((id) => id !== leader && run.cluster.node(id).up === up);
  return ids.length === 0 ? undefined : run.random.pick(ids);
}

function leaderId(run: OrchestrationRun): string | undefined {
  return run.cluster.leader()?.id;
}

export const scenarios: Record<ScenarioName, (run: OrchestrationRun) => void> = {
  'deploy-scale'(run) {
    run.scale('sim_web', 1);
    run.run(3000);
    run.scale('sim_web', run.options.nodes + 2);
    run.run(2000);
    run.scale('sim_api', 0);
    run.scale('sim_web', 2);
    run.run(4000);
    run.scale('sim_api', 3);
    run.run(3000);
  },
  'node-crash'(run) {
    for (let i = 0; i < 2; i++) {
      const id = someWorker(run);
      if (id === undefined) break;
      run.faulted();
      run.cluster.crash(id);
      run.run(run.random.intBetween(1000, 6000));
    }
    run.scale('sim_web', run.random.intBetween(2, 8));
    run.run(3000);
    for (const id of run.cluster.ids()) run.cluster.restart(id);
    run.run(3000);
  },
  'leader-partition'(run) {
    const leader = leaderId(run);
    if (leader === undefined) return;
    run.faulted();
    run.cluster.network.isolate(leader);
    run.cluster.log(`isolate leader ${leader}`);
    run.scale('sim_web', run.random.intBetween(2, 8));
    run.run(run.random.intBetween(2000, 6000));
    run.cluster.network.heal();
    run.cluster.log('heal');
    run.run(3000);
  },
  'failover-during-update'(run) {
    if (run.options.nodes > run.cluster.managerIds().length) {
      // Managers that run no tasks: the leader's crash then leaves every task running, so a
      // stop-first update must keep its floor through the failover.
      for (const id of run.cluster.managerIds()) run.availability(id, 'drain', false);
      run.runUntil(30_000, () => run.cluster.operatorIdle() && converged(run).ok);
    }
    const order = run.random.chance(0.5) ? 'start-first' : 'stop-first';
    run.update('sim_web', 'busybox:2', { order, parallelism: run.random.intBetween(1, 2), delayMs: 1000 });
    const started = run.runUntil(15_000, (store) => store.tasksOf('svc-web').some((t) => t.specVersion > 1 && t.state === 'running') && store.service('svc-web')?.update?.state === 'updating');
    const leader = leaderId(run);
    if (!started || leader === undefined) return;
    if (run.cluster.node(leader).agent.containerTaskIds().length > 0) run.faulted();
    run.cluster.crash(leader);
    run.run(run.random.intBetween(500, 4000));
    run.cluster.restart(leader);
    run.run(3000);
  },
  drain(run) {
    const a = someWorker(run);
    const b = someWorker(run);
    if (a === undefined || b === undefined) return;
    run.availability(a, 'drain');
    run.run(3000);
    if (a !== b) run.availability(b, 'pause');
    run.scale('sim_web', run.random.intBetween(3, 10));
    run.run(4000);
    run.availability(a, 'active');
    run.availability(b, 'active');
    run.run(2000);
  },
  'failed-update'(run) {
    run.update('sim_web', 'broken:2', { parallelism: 1, failureAction: 'rollback', monitorMs: 5000 });
    run.runUntil(30_000, (store) => store.service('svc-web')?.update?.state === 'rollback_completed');
    run.update('sim_api', 'missing:2', { parallelism: 1, failureAction: 'pause' });
    run.runUntil(20_000, (store) => store.service('svc-api')?.update?.state === 'paused');
    run.update('sim_api', 'busybox:3', { parallelism: 2 });
    run.run(3000);
  },
  random(run) {
    for (let i = 0; i < run.options.randomSteps; i++) {
      const fault = randomFault(run);
      if (fault !== undefined) run.cluster.log(fault);
      run.run(run.random.intBetween(1, 10) * 100);
    }
  },
};

/** Draws at most one fault or operator action. */
function randomFault(run: OrchestrationRun): string | undefined {
  const cluster = run.cluster;
  const random = run.random;
  const down = cluster.ids().filter((id) => !cluster.node(id).up);
  const roll = random.float();
  let p = 0;
  const hit = (rate: number) => roll < (p += rate);
  if (hit(0.05)) {
    const id = someWorker(run);
    if (id === undefined || down.length >= Math.max(1, Math.floor(run.options.nodes / 3))) return undefined;
    run.faulted();
    cluster.crash(id);
    return undefined;
  }
  if (hit(0.1)) {
    if (down.length === 0) return undefined;
    cluster.restart(random.pick(down));
    return undefined;
  }
  if (hit(0.03)) {
    const id = leaderId(run);
    if (id === undefined) return undefined;
    if (cluster.node(id).agent.containerTaskIds().length > 0) run.faulted();
    cluster.crash(id);
    return undefined;
  }
  if (hit(0.03)) {
    const id = leaderId(run);
    if (id === undefined) return undefined;
    run.faulted();
    run.networkCut = true;
    cluster.network.isolate(id);
    return `isolate leader ${id}`;
  }
  if (hit(0.03)) {
    const ids = random.shuffle(cluster.ids());
    const cut = random.intBetween(1, ids.length - 1);
    run.faulted();
    run.networkCut = true;
    cluster.network.partition([ids.slice(0, cut), ids.slice(cut)]);
    return `partition ${ids.slice(0, cut).join(',')} | ${ids.slice(cut).join(',')}`;
  }
  if (hit(0.08)) {
    run.networkCut = false;
    cluster.network.heal();
    return 'heal';
  }
  if (hit(0.03)) {
    const from = random.pick(cluster.ids());
    const to = random.pick(cluster.ids().filter((id) => id !== from));
    const rate = random.chance(0.5) ? 1 : random.float();
    run.faulted();
    run.networkCut = true;
    cluster.network.setLinkLoss(from, to, rate);
    return `link loss ${from}->${to} ${rate.toFixed(2)}`;
  }
  if (hit(0.05)) {
    const id = random.pick(cluster.ids());
    if (cluster.crashContainer(id) !== undefined) run.faulted();
    return undefined;
  }
  if (hit(0.04)) {
    const id = random.pick(cluster.ids());
    run.availability(id, random.pick(['drain', 'pause', 'active', 'active'] as const));
    return undefined;
  }
  if (hit(0.03)) {
    const id = random.pick(cluster.ids());
    run.zone(id, random.chance(0.5));
    return undefined;
  }
  if (hit(0.05)) {
    run.scale(random.chance(0.7) ? 'sim_web' : 'sim_api', random.int(Math.min(14, run.options.nodes + 3)));
    return undefined;
  }
  if (hit(0.06)) {
    const image = random.chance(0.8) ? `busybox:${random.int(1000)}` : random.chance(0.7) ? `broken:${random.int(1000)}` : `missing:${random.int(1000)}`;
    run.update(random.chance(0.6) ? 'sim_web' : 'sim_api', image, {
      order: random.chance(0.5) ? 'start-first' : 'stop-first',
      parallelism: random.int(3),
      failureAction: random.pick(['pause', 'rollback', 'continue'] as const),
      delayMs: random.pick([0, 500, 2000]),
    });
    return undefined;
  }
  if (hit(0.01)) {
    run.removeStack();
    run.deploy();
    return undefined;
  }
  if (hit(0.01)) {
    run.deploy(undefined, random.pick(['edge', 'api', 'monitor']));
    return undefined;
  }
  if (hit(0.01)) {
    run.deploy();
    return undefined;
  }
  if (hit(0.015)) {
    run.rollback(random.chance(0.6) ? 'sim_web' : 'sim_api');
    return undefined;
  }
  return undefined;
}
