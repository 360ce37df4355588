/**
 * Carrying out the orchestration steps. Writes go through the `swarmts` CLI on the step's
 * host, as an operator would type them (`stack deploy`, `service scale`, `node update`,
 * `node promote|demote`);
 * `record` reads the host's containers through its API.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { containersOn, resolveHost } from './cluster-views.js';
import { runningContainersOf } from './orchestration-lists.js';
import { repoRoot } from './repo-root.js';
import type { ScenarioWorld } from './scenario-world.js';
import type { ImageBuilder, Step } from './scenario-types.js';
import { mustSucceed, StepFailed } from './step-failed.js';
import { describeResult, runCommand, swarmts } from './swarmts-cli.js';

type OrchestrationStep = Extract<Step, { kind: 'import-image' | 'deploy' | 'stack-rm' | 'scale' | 'node-update' | 'node-role' | 'record' }>;

/** Building the busybox image takes about a second; past this something is wrong. */
const imageBuildTimeoutMs = 60_000;

/** Resolves with a short detail for the step's line; throws StepFailed. */
export async function executeOrchestrationStep(step: OrchestrationStep, world: ScenarioWorld, signal: AbortSignal): Promise<string> {
  switch (step.kind) {
    case 'import-image': return importImage(step, world, signal);
    case 'deploy': {
      const on = await resolveHost(step.on, world, signal);
      const result = await swarmts(world.stateDir(on), ['stack', 'deploy', '--detach', '-c', step.file, step.stack], step.withinMs, signal);
      mustSucceed(`stack deploy ${step.stack} on ${on}`, result);
      return `on ${on} ${formatMsShort(result.ms)}: ${step.services.map((s) => s.fullName).join(', ')}`;
    }
    case 'stack-rm': {
      const on = await resolveHost(step.on, world, signal);
      mustSucceed(`stack rm ${step.stack} on ${on}`, await swarmts(world.stateDir(on), ['stack', 'rm', step.stack], step.withinMs, signal));
      return `on ${on}`;
    }
    case 'scale': {
      const on = await resolveHost(step.on, world, signal);
      const result = await swarmts(world.stateDir(on), ['service', 'scale', ...(step.detach ? ['--detach'] : []), `${step.service}=${step.replicas}`], step.withinMs, signal);
      mustSucceed(`service scale on ${on}`, result);
      return `on ${on} ${formatMsShort(result.ms)}`;
    }
    case 'node-update': {
      const on = await resolveHost(step.on, world, signal);
      const node = await resolveHost(step.node, world, signal);
      const args = ['node', 'update', '--availability', step.availability, world.nodeName(node)];
      mustSucceed(`node update on ${on}`, await swarmts(world.stateDir(on), args, step.withinMs, signal));
      return `${node} (${world.nodeName(node)}) on ${on}`;
    }
    case 'node-role': {
      const on = await resolveHost(step.on, world, signal);
      const node = await resolveHost(step.node, world, signal);
      const args = ['node', step.role === 'manager' ? 'promote' : 'demote', world.nodeName(node)];
      mustSucceed(`${args.slice(0, 2).join(' ')} on ${on}`, await swarmts(world.stateDir(on), args, step.withinMs, signal));
      return `${node} (${world.nodeName(node)}) on ${on}`;
    }
    case 'record': return record(step, world, signal);
  }
}

async function importImage(step: Extract<Step, { kind: 'import-image' }>, world: ScenarioWorld, signal: AbortSignal): Promise<string> {
  const tar = 'file' in step.source ? step.source.file : await builtImage(step.source.build, step.reference, world, signal);
  const hosts = step.on === 'all' ? world.names.filter((h) => world.daemon(h).running) : step.on;
  if (hosts.length === 0) throw new StepFailed('import-image on all: no daemon is running');
  const results = await Promise.all(hosts.map(async (h) => [h, await swarmts(world.stateDir(h), ['image', 'import', tar, '--reference', step.reference], step.withinMs, signal)] as const));
  for (const [h, result] of results) mustSucceed(`image import on ${h}`, result);
  return `on ${hosts.join(' ')}`;
}

/** The image tar a builder makes, built once per run into the run directory. */
async function builtImage(builder: ImageBuilder, reference: string, world: ScenarioWorld, signal: AbortSignal): Promise<string> {
  const key = `${builder} ${reference}`;
  const known = world.builtImages.get(key);
  if (known) return known;
  const dir = join(world.runDir.path, 'images');
  mkdirSync(dir, { recursive: true });
  const layout = join(dir, `${builder}-${world.builtImages.size}`);
  const tar = `${layout}.tar`;
  const result = await runCommand(join(repoRoot, 'scripts', 'build-busybox-image.sh'), [layout, '--tar', tar, '--reference', reference], imageBuildTimeoutMs, signal);
  if (result.code !== 0) throw new StepFailed(`scripts/build-busybox-image.sh: ${describeResult(result)}`);
  world.builtImages.set(key, tar);
  return tar;
}

async function record(step: Extract<Step, { kind: 'record' }>, world: ScenarioWorld, signal: AbortSignal): Promise<string> {
  const host = await resolveHost(step.on, world, signal);
  const seen = (await containersOn(world, [host], signal)).get(host)!;
  if ('error' in seen) throw new StepFailed(`record on ${host}: cannot list its containers: ${seen.error}`);
  const containerIds = runningContainersOf(seen.containers, step.service);
  if (containerIds.length === 0) throw new StepFailed(`record on ${host}: no container of ${step.service} runs there; nothing to compare with later`);
  world.records.set(step.as, { host, service: step.service, containerIds });
  return `${containerIds.length} on ${host}: ${containerIds.map((id) => id.slice(0, 12)).join(', ')}`;
}

function formatMsShort(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
