/**
 * Readers of the orchestration steps. Each is a mapping beside an optional `within`:
 *
 *   - import-image: {on: all, build: busybox, reference: busybox:latest}   # or file: images/x.tar
 *   - deploy: {on: h1, stack: web, file: stacks/web.yml}
 *   - stack-rm: {on: h1, stack: web}
 *   - scale: {on: leader, service: web_web, replicas: 3}   # detach: true returns at once
 *   - node-update: {on: h1, node: h3, availability: drain}
 *   - node-role: {on: h1, node: h3, role: manager}                         # node promote (worker: demote)
 *   - record: {on: h2, service: web_web, as: h2-web}
 *
 * A stack file is read and checked with the stack parser when the scenario is loaded, so a
 * broken stack stops the run before any host is made, and later steps can be checked
 * against the services it defines.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join as joinPath, resolve } from 'node:path';
import { isScalar, type Node } from 'yaml';
import { parseStack } from '../../src/spec/parse-stack.js';
import { readRecordName, readServiceName } from './expect-parsers.js';
import { availabilities, defaultCommandWithinMs, imageBuilders, roles, type Step, type StackService } from './scenario-types.js';
import { readHostRef, readHosts, readWithin, required, type KindReader, type StepContext } from './step-reading.js';
import { checkKeys, join, readBool, readEnum, readInt, readMap, readString, type Entry } from './yaml-reader.js';

/** The most replicas a `scale` step may ask for: each is a container on this machine. */
export const replicasMax = 1000;

type OrchestrationKind = Extract<Step['kind'], 'import-image' | 'deploy' | 'stack-rm' | 'scale' | 'node-update' | 'node-role' | 'record'>;

/** The mapping under a step kind, checked against `allowed`; `get` reports a missing key. */
function readBody(value: Node | null, path: string, ctx: StepContext, allowed: readonly string[]) {
  const list = readMap(value, path, ctx.problems);
  if (!list) return undefined;
  checkKeys(list, allowed, path, ctx.problems, (key) => (key === 'within' ? ' ("within" goes beside the step, not inside it)' : ''));
  return {
    get: (key: string, expected: string): Entry | undefined => required(list, key, path, ctx, expected),
    optional: (key: string): Entry | undefined => list.find((e) => e.key === key),
  };
}

const onHost = (body: NonNullable<ReturnType<typeof readBody>>, path: string, ctx: StepContext) => {
  const entry = body.get('on', 'the host whose CLI runs it: h1, leader, follower or $killed');
  return entry && readHostRef(entry.value, join(path, 'on'), ctx, true);
};

/** The readers of the orchestration step kinds, merged into step-parsers.ts's table. */
export const orchestrationKinds: Record<OrchestrationKind, KindReader> = {
  'import-image': {
    modifiers: ['within'],
    read: (value, path, mods, ctx) => {
      const body = readBody(value, path, ctx, ['on', 'build', 'file', 'reference']);
      if (!body) return undefined;
      const refEntry = body.get('reference', 'the name to import it as, e.g. busybox:latest');
      const reference = refEntry && readString(refEntry.value, join(path, 'reference'), ctx.problems);
      const onEntry = body.optional('on');
      const on = !onEntry || (isScalar(onEntry.value) && onEntry.value.value === 'all') ? 'all' as const : readHosts(onEntry.value, join(path, 'on'), ctx);
      const [build, file] = [body.optional('build'), body.optional('file')];
      if (!!build === !!file) ctx.problems.add(value, path, `expected either "build" (${imageBuilders.join(', ')}) or "file" (an image tar), got ${build ? 'both' : 'neither'}`);
      const source = build ? readEnum(build.value, join(path, 'build'), imageBuilders, ctx.problems)
        : file ? readFile(file.value, join(path, 'file'), ctx) : undefined;
      const withinMs = readWithin(mods, path, ctx, defaultCommandWithinMs);
      if (!reference || !on || !source || withinMs === undefined || !!build === !!file) return undefined;
      return { kind: 'import-image', reference, on, source: build ? { build: source as (typeof imageBuilders)[number] } : { file: source }, withinMs };
    },
  },
  deploy: {
    modifiers: ['within'],
    read: (value, path, mods, ctx) => {
      const body = readBody(value, path, ctx, ['on', 'stack', 'file']);
      if (!body) return undefined;
      const on = onHost(body, path, ctx);
      const stackEntry = body.get('stack', 'the stack name, e.g. web');
      const stack = stackEntry && readStackName(stackEntry.value, join(path, 'stack'), ctx);
      const fileEntry = body.get('file', 'the stack file, relative to the scenario file');
      const file = fileEntry && readFile(fileEntry.value, join(path, 'file'), ctx);
      const services = file && stack ? readStackServices(file, stack, fileEntry!.value, join(path, 'file'), ctx) : undefined;
      const withinMs = readWithin(mods, path, ctx, defaultCommandWithinMs);
      return on && stack && file && services && withinMs !== undefined ? { kind: 'deploy', on, stack, file, services, withinMs } : undefined;
    },
  },
  'stack-rm': {
    modifiers: ['within'],
    read: (value, path, mods, ctx) => {
      const body = readBody(value, path, ctx, ['on', 'stack']);
      if (!body) return undefined;
      const on = onHost(body, path, ctx);
      const stackEntry = body.get('stack', 'the stack name, e.g. web');
      const stack = stackEntry && readStackName(stackEntry.value, join(path, 'stack'), ctx);
      const withinMs = readWithin(mods, path, ctx, defaultCommandWithinMs);
      return on && stack && withinMs !== undefined ? { kind: 'stack-rm', on, stack, withinMs } : undefined;
    },
  },
  scale: {
    modifiers: ['within'],
    read: (value, path, mods, ctx) => {
      const body = readBody(value, path, ctx, ['on', 'service', 'replicas', 'detach']);
      if (!body) return undefined;
      const on = onHost(body, path, ctx);
      const serviceEntry = body.get('service', 'the service\'s full name, e.g. web_web');
      const service = serviceEntry && readServiceName(serviceEntry.value, join(path, 'service'), ctx);
      const replicasEntry = body.get('replicas', `an integer from 0 to ${replicasMax}`);
      const replicas = replicasEntry && readInt(replicasEntry.value, join(path, 'replicas'), 0, replicasMax, ctx.problems);
      const detachEntry = body.optional('detach');
      const detach = detachEntry ? readBool(detachEntry.value, join(path, 'detach'), ctx.problems) : false;
      const withinMs = readWithin(mods, path, ctx, defaultCommandWithinMs);
      return on && service && replicas !== undefined && detach !== undefined && withinMs !== undefined ? { kind: 'scale', on, service, replicas, detach, withinMs } : undefined;
    },
  },
  'node-update': {
    modifiers: ['within'],
    read: (value, path, mods, ctx) => {
      const body = readBody(value, path, ctx, ['on', 'node', 'availability']);
      if (!body) return undefined;
      const on = onHost(body, path, ctx);
      const nodeEntry = body.get('node', 'the host to update: h2, leader, follower or $killed');
      const node = nodeEntry && readHostRef(nodeEntry.value, join(path, 'node'), ctx, true);
      const availabilityEntry = body.get('availability', availabilities.join(', '));
      const availability = availabilityEntry && readEnum(availabilityEntry.value, join(path, 'availability'), availabilities, ctx.problems);
      const withinMs = readWithin(mods, path, ctx, defaultCommandWithinMs);
      return on && node && availability && withinMs !== undefined ? { kind: 'node-update', on, node, availability, withinMs } : undefined;
    },
  },
  'node-role': {
    modifiers: ['within'],
    read: (value, path, mods, ctx) => {
      const body = readBody(value, path, ctx, ['on', 'node', 'role']);
      if (!body) return undefined;
      const on = onHost(body, path, ctx);
      const nodeEntry = body.get('node', 'the host to promote or demote: h2, leader, follower or $killed');
      const node = nodeEntry && readHostRef(nodeEntry.value, join(path, 'node'), ctx, true);
      const roleEntry = body.get('role', `its new role: ${roles.join(', ')}`);
      const role = roleEntry && readEnum(roleEntry.value, join(path, 'role'), roles, ctx.problems);
      const withinMs = readWithin(mods, path, ctx, defaultCommandWithinMs);
      return on && node && role && withinMs !== undefined ? { kind: 'node-role', on, node, role, withinMs } : undefined;
    },
  },
  record: {
    modifiers: ['within'],
    read: (value, path, mods, ctx) => {
      const body = readBody(value, path, ctx, ['on', 'service', 'as']);
      if (!body) return undefined;
      const on = onHost(body, path, ctx);
      const serviceEntry = body.get('service', 'the service\'s full name, e.g. web_web');
      const service = serviceEntry && readServiceName(serviceEntry.value, join(path, 'service'), ctx);
      const asEntry = body.get('as', 'a name for what is recorded, for a later "unchanged"');
      const as = asEntry && readRecordName(asEntry.value, join(path, 'as'), ctx);
      const withinMs = readWithin(mods, path, ctx, defaultCommandWithinMs);
      return on && service && as && withinMs !== undefined ? { kind: 'record', on, service, as, withinMs } : undefined;
    },
  },
};

/** A stack name as `stack deploy` takes it: a DNS label. */
function readStackName(node: Node | null, path: string, ctx: StepContext): string | undefined {
  const name = readString(node, path, ctx.problems);
  if (name === undefined || /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(name)) return name;
  ctx.problems.add(node, path, `expected a stack name (lowercase letters, digits and dashes), got ${JSON.stringify(name)}`);
  return undefined;
}

/** A file that exists, relative to the scenario file's folder; the absolute path. */
function readFile(node: Node | null, path: string, ctx: StepContext): string | undefined {
  const name = readString(node, path, ctx.problems);
  if (name === undefined) return undefined;
  const full = isAbsolute(name) ? name : resolve(ctx.baseDir ?? '.', name);
  if (existsSync(full)) return full;
  ctx.problems.add(node, path, `expected a file, relative to the scenario file's folder; there is no ${full}`);
  return undefined;
}

/** The services the stack file defines, or its every problem, each as one of this step's. */
function readStackServices(file: string, stack: string, node: Node | null, path: string, ctx: StepContext): StackService[] | undefined {
  const readText = (p: string) => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return undefined;
    }
  };
  const text = readText(file);
  if (text === undefined) {
    ctx.problems.add(node, path, `cannot read ${file}`);
    return undefined;
  }
  try {
    const dotEnv = readText(joinPath(dirname(file), '.env'));
    const { stack: spec } = parseStack({ fileName: file, text, stackName: stack, env: {}, ...(dotEnv !== undefined && { dotEnv }), baseDir: dirname(file), readFile: (p) => readText(resolve(dirname(file), p)) });
    return spec.services.map((s) => ({ fullName: `${stack}_${s.name}`, mode: s.mode, replicas: s.replicas }));
  } catch (err) {
    for (const line of (err as Error).message.split('\n')) ctx.problems.add(node, path, `the stack file is not valid: ${line}`);
    return undefined;
  }
}
