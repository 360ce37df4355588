import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { errorMessage, SwarmError } from '../core/errors.js';
import { isValidName } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import { followLines, readAllLines } from './container-log.js';
import { containerFiles, loadRecords, removeFiles, saveRecord, type ContainerFiles } from './container-record.js';
import type {
  ContainerInfo, ContainerSpec, ExecSpec, ExitStatus, LogLine, LogOptions, OutputSink, Runtime,
} from './runtime.js';
import { resolveUser, type ResolvedUser } from './user-lookup.js';
import type { ImageConfig } from './image/image-config.js';

/** An image found in the store: its id and the parts of its config a container inherits. */
export interface ResolvedImage {
  id: string;
  config: ImageConfig;
}

/** What the manager needs of the image store: lookups and overlayfs roots. */
export interface ImageProvider {
  /** IMAGE_NOT_FOUND when the reference is not in the store. */
  resolve(reference: string): Promise<ResolvedImage>;
  /** Mounts (or finds mounted) the container's overlayfs root; returns its path. */
  mountRootfs(imageId: string, containerId: string): Promise<string>;
  /** Unmounts the root but keeps its upper layer, so a restart sees the same files. */
  unmountRootfs(containerId: string): Promise<void>;
  /** Unmounts and deletes the container's layer for good. */
  removeRootfs(containerId: string): Promise<void>;
}

/** Where the monitor keeps a container's output and exit status. */
export interface MonitorFiles {
  logPath: string;
  exitFile: string;
}

/** What the manager needs of an OCI runtime driven through swarmts-monitor. */
export interface OciDriver {
  /** Creates the container under a new monitor; resolves with its init's host pid. */
  create(id: string, bundleDir: string, files: MonitorFiles): Promise<number>;
  start(id: string): Promise<void>;
  /** The runtime's view, or undefined when it does not know the id. */
  status(id: string): Promise<'created' | 'running' | 'stopped' | undefined>;
  kill(id: string, signal: string): Promise<void>;
  delete(id: string, force: boolean): Promise<void>;
  /** Resolves once the monitor has written the exit file; rejects with an AbortError when `signal` fires. */
  waitExit(exitFile: string, signal?: AbortSignal): Promise<ExitStatus>;
  exec(id: string, args: string[], options: { env: string[]; cwd?: string; user?: ResolvedUser }, output: OutputSink): Promise<number>;
}

/** Everything `config.json` is built from. */
export interface BundleInput {
  id: string;
  args: string[];
  env: string[];
  cwd: string;
  user: ResolvedUser;
  hostname: string;
  rootfs: string;
  spec: ContainerSpec;
  cgroupsPath: string;
}

export interface ContainerManagerComponents {
  containersDir: string;
  /** cgroup parent of every container of this node, e.g. `/swarmts/node-a`. */
  cgroupParent: string;
  images: ImageProvider;
  oci: OciDriver;
  buildBundleConfig(input: BundleInput): object;
  log: Logger;
}

const defaultPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const defaultStopTimeoutMs = 10_000;

interface Entry {
  info: ContainerInfo;
  files: ContainerFiles;
  /** Settles when the container's current run has ended and been cleaned up. */
  exited?: Promise<ExitStatus>;
}

/**
 * The real `Runtime`: containers from the image store's overlayfs roots, run by an OCI
 * runtime under swarmts-monitor. Records persist under the containers directory, so a
 * restarted daemon finds its containers again (`recover`), still running if they were.
 */
export class ContainerManager implements Runtime {
  private readonly entries = new Map<string, Entry>();
  /** Stops watching exit files when the daemon shuts down; the containers keep running. */
  private readonly closing = new AbortController();

  constructor(private readonly c: ContainerManagerComponents) {}

  /** Loads the records left by a previous daemon and reconciles them with the runtime. */
  async recover(): Promise<void> {
    for (const info of await loadRecords(this.c.containersDir, this.c.log)) {
      const entry: Entry = { info, files: containerFiles(this.c.containersDir, info.id) };
      this.entries.set(info.id, entry);
      if (info.state !== 'running') continue;
      const status = await this.c.oci.status(info.id).catch(() => undefined);
      this.c.log.info(status === 'running' ? 'container still running' : 'container ended while the daemon was away', { id: info.id.slice(0, 12), name: info.name });
      // The machine went down with it: its monitor never wrote the exit file, so write one.
      if (status !== 'running' && !existsSync(entry.files.exitFile)) await writeLostExit(entry.files.exitFile);
      this.watch(entry);
    }
  }

  /** Stops watching containers (their monitors go on); pending waits never settle after this. */
  close(): void {
    this.closing.abort();
  }

  /** Whether a container (in any state) was made from this image: such images are kept. */
  usesImage(imageId: string): boolean {
    return [...this.entries.values()].some((e) => e.info.imageId === imageId);
  }

  /** Whether a container with this id exists. */
  owns(containerId: string): boolean {
    return this.entries.has(containerId);
  }

  async create(spec: ContainerSpec): Promise<ContainerInfo> {
    if (spec.name !== undefined && !isValidName(spec.name)) throw new SwarmError('INVALID_ARGUMENT', `invalid container name "${spec.name}": use [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 63 characters`);
    const id = randomBytes(32).toString('hex');
    const name = spec.name ?? `swarmts_${id.slice(0, 12)}`;
    if ([...this.entries.values()].some((e) => e.info.name === name)) {
      throw new SwarmError('ALREADY_EXISTS', `the container name "${name}" is already in use; remove that container or choose another name`);
    }
    const image = await this.c.images.resolve(spec.image);
    const entrypoint = spec.entrypoint ?? image.config.entrypoint ?? [];
    const cmd = spec.command ?? (spec.entrypoint !== undefined ? [] : image.config.cmd ?? []);
    const args = [...entrypoint, ...cmd];
    if (args.length === 0) throw new SwarmError('INVALID_ARGUMENT', `no command: image ${spec.image} has no Entrypoint or Cmd, so give one after the image name`);
    const info: ContainerInfo = {
      id, name, image: spec.image, imageId: image.id, args, state: 'created', createdAt: new Date().toISOString(),
      labels: { ...image.config.labels, ...spec.labels }, spec,
    };
    const entry: Entry = { info, files: containerFiles(this.c.containersDir, id) };
    await saveRecord(entry.files, info);
    this.entries.set(id, entry);
    return structuredClone(info);
  }

  async start(idOrName: string): Promise<ContainerInfo> {
    const entry = this.find(idOrName);
    if (entry.info.state === 'running') return structuredClone(entry.info);
    const { info, files } = entry;
    try {
      const image = await this.c.images.resolve(info.imageId);
      const rootfs = await this.c.images.mountRootfs(info.imageId, info.id);
      const config = this.c.buildBundleConfig({
        id: info.id, args: info.args, env: mergeEnv(image.config.env ?? [], info.spec.env, info.spec.hostname ?? info.id.slice(0, 12)),
        cwd: info.spec.workingDir ?? image.config.workingDir ?? '/', user: await resolveUser(rootfs, info.spec.user ?? image.config.user),
        hostname: info.spec.hostname ?? info.id.slice(0, 12), rootfs, spec: info.spec, cgroupsPath: `${this.c.cgroupParent}/${info.id}`,
      });
      await mkdir(files.bundle, { recursive: true, mode: 0o700 });
      await writeFile(`${files.bundle}/config.json`, JSON.stringify(config));
      await this.c.oci.delete(info.id, true).catch(() => {}); // a stopped container left from the last run
      const pid = await this.c.oci.create(info.id, files.bundle, { logPath: files.log, exitFile: files.exitFile });
      await this.c.oci.start(info.id);
      info.state = 'running';
      info.pid = pid;
      info.startedAt = new Date().toISOString();
      delete info.exit;
      await saveRecord(files, info);
      this.watch(entry);
      return structuredClone(info);
    } catch (err) {
      await this.c.oci.delete(info.id, true).catch(() => {});
      await this.c.images.unmountRootfs(info.id).catch(() => {});
      throw err instanceof SwarmError ? err : new SwarmError('RUNTIME_ERROR', `starting container ${info.name} failed: ${errorMessage(err)}`, { cause: err });
    }
  }

  async stop(idOrName: string, timeoutMs?: number): Promise<ContainerInfo> {
    const entry = this.find(idOrName);
    if (entry.info.state !== 'running' || !entry.exited) return structuredClone(entry.info);
    const signal = entry.info.spec.stopSignal ?? 'SIGTERM';
    await this.c.oci.kill(entry.info.id, signal).catch(() => {});
    const waitMs = timeoutMs ?? entry.info.spec.stopTimeoutMs ?? defaultStopTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      entry.exited.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), waitMs))),
    ]);
    clearTimeout(timer);
    if (timedOut) await this.c.oci.kill(entry.info.id, 'SIGKILL').catch(() => {});
    await entry.exited;
    return structuredClone(entry.info);
  }

  async kill(idOrName: string, signal: string): Promise<void> {
    const entry = this.find(idOrName);
    if (entry.info.state !== 'running') throw new SwarmError('CONTAINER_NOT_RUNNING', `container ${entry.info.name} is not running`);
    await this.c.oci.kill(entry.info.id, signal);
  }

  async remove(idOrName: string, force: boolean): Promise<void> {
    const entry = this.find(idOrName);
    if (entry.info.state === 'running') {
      if (!force) throw new SwarmError('CONFLICT', `container ${entry.info.name} is running: stop it first, or remove it with --force`);
      await this.c.oci.kill(entry.info.id, 'SIGKILL').catch(() => {});
      await entry.exited;
    }
    await this.c.oci.delete(entry.info.id, true).catch(() => {});
    await this.c.images.removeRootfs(entry.info.id);
    await removeFiles(entry.files);
    this.entries.delete(entry.info.id);
  }

  async inspect(idOrName: string): Promise<ContainerInfo> {
    return structuredClone(this.find(idOrName).info);
  }

  async list(): Promise<ContainerInfo[]> {
    return [...this.entries.values()].map((e) => structuredClone(e.info));
  }

  async wait(idOrName: string): Promise<ExitStatus> {
    const entry = this.find(idOrName);
    if (entry.info.state === 'running' && entry.exited) return entry.exited;
    if (entry.info.exit) return entry.info.exit;
    throw new SwarmError('CONTAINER_NOT_RUNNING', `container ${entry.info.name} has not been started`);
  }

  async *logs(idOrName: string, options: LogOptions, signal?: AbortSignal): AsyncIterable<LogLine> {
    const entry = this.find(idOrName);
    const { lines, endOffset, assembler } = await readAllLines(entry.files.log);
    yield* options.tailLines === undefined ? lines : lines.slice(Math.max(0, lines.length - options.tailLines));
    if (!options.follow) return;
    yield* followLines(entry.files.log, endOffset, assembler, () => entry.info.state !== 'running', signal);
  }

  async exec(idOrName: string, spec: ExecSpec, output: OutputSink): Promise<number> {
    const entry = this.find(idOrName);
    if (entry.info.state !== 'running') throw new SwarmError('CONTAINER_NOT_RUNNING', `container ${entry.info.name} is not running: start it before exec`);
    const image = await this.c.images.resolve(entry.info.imageId);
    const rootfs = await this.c.images.mountRootfs(entry.info.imageId, entry.info.id);
    const user = await resolveUser(rootfs, spec.user ?? entry.info.spec.user ?? image.config.user);
    const env = mergeEnv(mergeEnv(image.config.env ?? [], entry.info.spec.env, entry.info.spec.hostname ?? entry.info.id.slice(0, 12)), spec.env, entry.info.spec.hostname ?? entry.info.id.slice(0, 12));
    const cwd = spec.workingDir ?? entry.info.spec.workingDir ?? image.config.workingDir;
    return this.c.oci.exec(entry.info.id, spec.args, { env, user, ...(cwd ? { cwd } : {}) }, output);
  }

  private watch(entry: Entry): void {
    entry.exited = this.watchExit(entry);
    // After close() the wait is abandoned on purpose: that rejection needs no handler.
    entry.exited.catch(() => undefined);
  }

  /** Waits for the monitor's exit file, then frees the container's kernel resources. */
  private async watchExit(entry: Entry): Promise<ExitStatus> {
    const exit = await this.c.oci.waitExit(entry.files.exitFile, this.closing.signal);
    const { info } = entry;
    await this.c.oci.delete(info.id, true).catch((err) => this.c.log.warn('runtime delete failed', { id: info.id.slice(0, 12), error: errorMessage(err) }));
    await this.c.images.unmountRootfs(info.id).catch((err) => this.c.log.warn('unmounting the root failed', { id: info.id.slice(0, 12), error: errorMessage(err) }));
    info.state = 'exited';
    info.exit = exit;
    delete info.pid;
    if (this.entries.has(info.id)) await saveRecord(entry.files, info);
    return exit;
  }

  private find(idOrName: string): Entry {
    const byId = this.entries.get(idOrName);
    if (byId) return byId;
    const matches = [...this.entries.values()].filter((e) => e.info.name === idOrName || (idOrName.length >= 4 && e.info.id.startsWith(idOrName)));
    const byName = matches.find((e) => e.info.name === idOrName);
    if (byName) return byName;
    if (matches.length > 1) throw new SwarmError('INVALID_ARGUMENT', `"${idOrName}" matches ${matches.length} containers: give more of the id`);
    if (matches.length === 1) return matches[0]!;
    throw new SwarmError('CONTAINER_NOT_FOUND', `no such container: ${idOrName}`);
  }
}

/** The exit of a container whose monitor died with it: killed, code 137, as docker reports it. */
async function writeLostExit(exitFile: string): Promise<void> {
  const exit: ExitStatus = { exitCode: 137, signal: 'SIGKILL', oomKilled: false, finishedAt: new Date().toISOString() };
  await writeFile(exitFile, JSON.stringify(exit));
}

/** The image's env, then the container's (later keys win), with PATH and HOSTNAME defaults. */
export function mergeEnv(base: string[], overrides: string[], hostname: string): string[] {
  const merged = new Map<string, string>([['PATH', `PATH=${defaultPath}`], ['HOSTNAME', `HOSTNAME=${hostname}`]]);
  for (const entry of [...base, ...overrides]) merged.set(entry.split('=', 1)[0]!, entry);
  return [...merged.values()];
}
