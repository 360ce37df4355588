import { SwarmError } from '../core/errors.js';
import type { ContainerSpec, MountSpec, NetworkAttachment } from '../runtime/runtime.js';
import { parseBytes, parseCpus, parseDuration } from '../spec/units.js';

/** The flags of `swarmts container run`, as commander hands them over. */
export interface RunFlags {
  name?: string;
  env: string[];
  label: string[];
  volume: string[];
  tmpfs: string[];
  memory?: string;
  cpus?: string;
  pidsLimit?: string;
  workdir?: string;
  user?: string;
  hostname?: string;
  network: string;
  entrypoint?: string;
  readOnly?: boolean;
  stopSignal?: string;
  stopTimeout?: string;
}

/**
 * Turns `container run` flags and arguments into a container spec. Every bad flag is
 * reported at once, in the words a user typed (`--memory "lots": ...`).
 */
export function runFlagsToSpec(image: string, command: string[], flags: RunFlags, hostEnv: NodeJS.ProcessEnv): ContainerSpec {
  const problems: string[] = [];
  const attempt = <T>(flag: string, value: string | undefined, parse: (v: string) => T): T | undefined => {
    if (value === undefined) return undefined;
    try {
      return parse(value);
    } catch (err) {
      problems.push(`${flag} ${JSON.stringify(value)}: ${(err as Error).message}`);
      return undefined;
    }
  };
  const env = flags.env.map((e) => (e.includes('=') ? e : `${e}=${hostEnv[e] ?? ''}`));
  const labels: Record<string, string> = {};
  for (const l of flags.label) {
    const eq = l.indexOf('=');
    labels[eq < 0 ? l : l.slice(0, eq)] = eq < 0 ? '' : l.slice(eq + 1);
  }
  const mounts: MountSpec[] = [
    ...flags.volume.flatMap((v) => attempt('--volume', v, parseVolume) ?? []),
    ...flags.tmpfs.flatMap((t) => attempt('--tmpfs', t, parseTmpfs) ?? []),
  ];
  const memoryBytes = attempt('--memory', flags.memory, parseBytes);
  const nanoCpus = attempt('--cpus', flags.cpus, parseCpus);
  const pidsLimit = attempt('--pids-limit', flags.pidsLimit, (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new Error('expected a positive whole number');
    return n;
  });
  const stopTimeoutMs = attempt('--stop-timeout', flags.stopTimeout, (v) => (/^\d+$/.test(v) ? Number(v) * 1000 : parseDuration(v)));
  const network = attempt('--network', flags.network, parseNetwork);
  if (problems.length > 0) throw new SwarmError('INVALID_ARGUMENT', problems.join('\n'), { details: { problems } });

  const spec: ContainerSpec = {
    image, env, labels, mounts, network: network ?? { mode: 'none' }, readOnlyRootfs: flags.readOnly === true,
    resources: {
      ...(memoryBytes !== undefined ? { memoryBytes } : {}),
      ...(nanoCpus !== undefined ? { nanoCpus } : {}),
      ...(pidsLimit !== undefined ? { pidsLimit } : {}),
    },
  };
  if (command.length > 0) spec.command = command;
  if (flags.entrypoint !== undefined) spec.entrypoint = flags.entrypoint === '' ? [] : [flags.entrypoint];
  if (flags.name !== undefined) spec.name = flags.name;
  if (flags.workdir !== undefined) spec.workingDir = flags.workdir;
  if (flags.user !== undefined) spec.user = flags.user;
  if (flags.hostname !== undefined) spec.hostname = flags.hostname;
  if (flags.stopSignal !== undefined) spec.stopSignal = flags.stopSignal;
  if (stopTimeoutMs !== undefined) spec.stopTimeoutMs = stopTimeoutMs;
  return spec;
}

/** `-v /host:/ctr[:ro]`: bind mounts of absolute host paths. */
function parseVolume(value: string): MountSpec {
  const parts = value.split(':');
  if (parts.length < 2 || parts.length > 3) throw new Error('expected /host/path:/container/path[:ro|rw]');
  const [source, target, mode = 'rw'] = parts as [string, string, string?];
  if (!source.startsWith('/')) throw new Error(`the host path must be absolute (named volumes come with stacks), got "${source}"`);
  if (!target.startsWith('/')) throw new Error(`the container path must be absolute, got "${target}"`);
  if (mode !== 'ro' && mode !== 'rw') throw new Error(`the mode must be ro or rw, got "${mode}"`);
  return { type: 'bind', source, target, readOnly: mode === 'ro' };
}

/** `--tmpfs /run[:size=64m]`. */
function parseTmpfs(value: string): MountSpec {
  const [target, options] = value.split(':', 2) as [string, string?];
  if (!target.startsWith('/')) throw new Error(`the container path must be absolute, got "${target}"`);
  const mount: MountSpec = { type: 'tmpfs', source: 'tmpfs', target, readOnly: false };
  for (const option of options ? options.split(',') : []) {
    const [key, v] = option.split('=', 2);
    if (key !== 'size' || v === undefined) throw new Error(`unknown tmpfs option "${option}": only size=N is supported`);
    mount.tmpfsSizeBytes = parseBytes(v);
  }
  return mount;
}

function parseNetwork(value: string): NetworkAttachment {
  if (value === 'none' || value === 'host') return { mode: value };
  if (value.startsWith('ns:/')) return { mode: 'netns', path: value.slice(3) };
  throw new Error('expected none (a private network namespace), host, or ns:/path/to/netns');
}
