/**
 * Carries out one step against the live hosts. Resolves with a short detail for the step's
 * line; throws StepFailed, whose message says what was expected and what happened.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { resolveHost } from './cluster-views.js';
import { awaitExpectation } from './expect-poll.js';
import { executeNetworkStep } from './network-steps.js';
import { executeOrchestrationStep } from './orchestration-steps.js';
import type { ScenarioWorld } from './scenario-world.js';
import { describeStep, type Role, type Step } from './scenario-types.js';
import { mustSucceed, StepFailed } from './step-failed.js';
import { describeResult, swarmts } from './swarmts-cli.js';
import { tamperToken } from './token-tamper.js';

/** A `join-token` call is local to one daemon: quick, or something is wrong. */
const joinTokenTimeoutMs = 15_000;

export { StepFailed } from './step-failed.js';

export async function executeStep(step: Step, world: ScenarioWorld, signal: AbortSignal): Promise<string> {
  const detail = await execute(step, world, signal);
  if (changingKinds.includes(step.kind)) world.lastChange = { what: describeStep(step), atMs: Date.now() };
  else if (!networkKinds.includes(step.kind)) world.lastChange = undefined;
  return detail;
}

/**
 * Steps after which network steps report how long their check took to hold, as long as
 * only network steps come between: after an `expect` or a `sleep` the figure means nothing.
 */
const changingKinds: Array<Step['kind']> = ['kill', 'crash', 'stop', 'restart', 'leave', 'partition', 'packet-loss', 'heal', 'deploy', 'stack-rm', 'scale', 'node-update'];
const networkKinds: Array<Step['kind']> = ['requests', 'lookup', 'reachable', 'unreachable'];

async function execute(step: Step, world: ScenarioWorld, signal: AbortSignal): Promise<string> {
  switch (step.kind) {
    case 'init': return init(step, world, signal);
    case 'join': {
      const details = [];
      for (const host of step.hosts) details.push(await join(host, step, world, signal));
      return details.join('; ');
    }
    case 'join-expect-failure': return joinExpectingRefusal(step, world, signal);
    case 'kill':
    case 'crash':
    case 'stop':
    case 'restart':
      return lifecycle(step, world, signal);
    case 'leave':
      for (const h of step.hosts) {
        mustSucceed(`leave on ${h}`, await swarmts(world.stateDir(h), ['leave', ...(step.force ? ['--force'] : [])], step.withinMs, signal));
        world.setMember(h, false);
      }
      return '';
    case 'partition':
      for (let i = 0; i < step.groups.length; i++) {
        for (let j = i + 1; j < step.groups.length; j++) await world.hosts.partition(step.groups[i]!.map((h) => world.host(h)), step.groups[j]!.map((h) => world.host(h)));
      }
      return '';
    case 'packet-loss':
      for (const h of step.hosts) await world.hosts.packetLoss(world.host(h), step.percent);
      return '';
    case 'heal':
      await world.hosts.heal();
      return '';
    case 'sleep':
      await delay(step.ms, undefined, { signal });
      return '';
    case 'expect':
      return awaitExpectation(step, world, signal);
    case 'import-image':
    case 'deploy':
    case 'stack-rm':
    case 'scale':
    case 'node-update':
    case 'node-role':
    case 'record':
      return executeOrchestrationStep(step, world, signal);
    case 'requests':
    case 'lookup':
    case 'reachable':
    case 'unreachable':
      return executeNetworkStep(step, world, signal);
  }
}

/** Kill, crash, stop or restart: references are resolved first, all of them, then acted on in order. */
async function lifecycle(step: Extract<Step, { kind: 'kill' | 'crash' | 'stop' | 'restart' }>, world: ScenarioWorld, signal: AbortSignal): Promise<string> {
  const hosts: string[] = [];
  for (const ref of step.hosts) hosts.push(await resolveHost(ref, world, signal));
  const details: string[] = [];
  for (const [i, h] of hosts.entries()) {
    const named = step.hosts[i] === h ? '' : `${step.hosts[i]} = ${h}`;
    if (step.kind === 'restart') await world.daemon(h).start(signal);
    else if (step.kind === 'crash') details.push([named, await world.daemon(h).crash()].filter(Boolean).join(' '));
    else await (step.kind === 'kill' ? world.daemon(h).kill() : world.daemon(h).stop());
    if (step.kind !== 'restart') world.lastKilled = h;
    if (named && step.kind !== 'crash') details.push(named);
  }
  return details.filter(Boolean).length ? `(${details.filter(Boolean).join('; ')})` : '';
}

const labelArgs = (labels: Record<string, string>) => Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
const addressArgs = (world: ScenarioWorld, h: string) => ['--listen-addr', world.address(h), '--advertise-addr', world.address(h)];

async function init(step: Extract<Step, { kind: 'init' }>, world: ScenarioWorld, signal: AbortSignal): Promise<string> {
  const result = await swarmts(world.stateDir(step.host), ['init', ...addressArgs(world, step.host), ...labelArgs(step.labels), '--format', 'json'], step.withinMs, signal);
  mustSucceed(`init on ${step.host}`, result);
  let out: Record<string, unknown>;
  try {
    out = JSON.parse(result.stdout) as Record<string, unknown>;
  } catch {
    throw new StepFailed(`init --format json printed something that is not JSON: ${JSON.stringify(result.stdout.slice(0, 300))}`);
  }
  const missing = ['clusterId', 'nodeId', 'workerToken', 'managerToken', 'advertiseAddr'].filter((k) => typeof out[k] !== 'string' || out[k] === '');
  if (missing.length) throw new StepFailed(`init --format json: missing or empty ${missing.join(', ')} in ${result.stdout.trim().slice(0, 300)}`);
  if (out['advertiseAddr'] !== world.address(step.host)) throw new StepFailed(`init --format json: advertiseAddr is ${JSON.stringify(out['advertiseAddr'])}, expected "${world.address(step.host)}"`);
  world.setMember(step.host, true);
  world.setNodeId(step.host, String(out['nodeId']));
  return `cluster ${String(out['clusterId']).slice(0, 12)}`;
}

async function join(host: string, step: Extract<Step, { kind: 'join' }>, world: ScenarioWorld, signal: AbortSignal): Promise<string> {
  const token = await joinToken(step.via, step.role, world, signal);
  const result = await swarmts(world.stateDir(host), ['join', '--token', token, ...addressArgs(world, host), ...labelArgs(step.labels), world.address(step.via)], step.withinMs, signal);
  mustSucceed(`join of ${host} via ${step.via}`, result);
  world.setMember(host, true);
  return `${host} ${(result.ms / 1000).toFixed(1)} s`;
}

async function joinExpectingRefusal(step: Extract<Step, { kind: 'join-expect-failure' }>, world: ScenarioWorld, signal: AbortSignal): Promise<string> {
  const good = await joinToken(step.via, step.role, world, signal);
  let bad: string | Error;
  if (step.token === 'rotated') {
    mustSucceed(`join-token --rotate ${step.role} on ${step.via}`, await swarmts(world.stateDir(step.via), ['join-token', '-q', '--rotate', step.role], joinTokenTimeoutMs, signal));
    const fresh = await joinToken(step.via, step.role, world, signal);
    bad = fresh === good ? new Error(`join-token --rotate ${step.role} left the token unchanged`) : good;
  } else {
    bad = tamperToken(good, step.token === 'wrong-key' ? 'key' : 'secret');
  }
  if (bad instanceof Error) throw new StepFailed(bad.message);
  const result = await swarmts(world.stateDir(step.host), ['join', '--token', bad, ...addressArgs(world, step.host), world.address(step.via)], step.withinMs, signal);
  if (result.code !== 1) {
    const what = result.code === 0 ? 'was admitted' : result.timedOut ? `did not finish within ${step.withinMs / 1000} s` : `ended with ${describeResult(result)}`;
    throw new StepFailed(`join of ${step.host} with a ${step.token} token must be refused with exit 1, but it ${what}: ${describeResult(result)}`);
  }
  if (!world.daemon(step.host).running) throw new StepFailed(`the daemon of ${step.host} ended after its join was refused; log:\n${world.daemon(step.host).logTail(15)}`);
  return `refused: ${describeResult(result)}`;
}

async function joinToken(via: string, role: Role, world: ScenarioWorld, signal: AbortSignal): Promise<string> {
  const result = await swarmts(world.stateDir(via), ['join-token', '-q', role], joinTokenTimeoutMs, signal);
  mustSucceed(`join-token -q ${role} on ${via}`, result);
  const token = result.stdout.trim();
  if (!token || /\s/.test(token)) throw new StepFailed(`join-token -q ${role} on ${via}: expected only the token, got ${JSON.stringify(result.stdout.slice(0, 300))}`);
  return token;
}
