import type { Clock } from '../core/clock.js';
import { SwarmError } from '../core/errors.js';
import type {
  ContainerInfo, ContainerSpec, ExecSpec, ExitStatus, LogLine, LogOptions, OutputSink, Runtime,
} from './runtime.js';

/**
 * The in-memory twin of the real runtime, for simulations: containers are records whose
 * "program" is a tiny interpreter of a few busybox commands (`echo`, `true`, `false`,
 * `sh -c 'exit N'`, `sleep`, anything else runs until stopped). Time comes from the
 * injected clock, so a simulated cluster replays exactly. Tests and the simulator make
 * things happen with `crash()` and `oomKill()`.
 */
export class SimRuntime implements Runtime {
  private readonly containers = new Map<string, SimContainer>();
  private nextId = 1;

  /** `images` lists the references this node can run; others fail as IMAGE_NOT_FOUND. */
  constructor(private readonly clock: Clock, private readonly images: ReadonlySet<string> = new Set(['busybox'])) {}

  async create(spec: ContainerSpec): Promise<ContainerInfo> {
    if (!this.images.has(spec.image)) throw new SwarmError('IMAGE_NOT_FOUND', `image ${spec.image} not found`);
    const id = (this.nextId++).toString(16).padStart(64, '0');
    const name = spec.name ?? `sim_${id.slice(-8)}`;
    if ([...this.containers.values()].some((c) => c.info.name === name)) {
      throw new SwarmError('ALREADY_EXISTS', `a container named ${name} already exists`);
    }
    const args = [...(spec.entrypoint ?? []), ...(spec.command ?? ['sh'])];
    const info: ContainerInfo = { id, name, image: spec.image, imageId: `sim:${spec.image}`, args, state: 'created', createdAt: this.now(), labels: spec.labels, spec };
    this.containers.set(id, { info, logs: [], waiters: [], logWaiters: [] });
    return structuredClone(info);
  }

  async start(idOrName: string): Promise<ContainerInfo> {
    const c = this.find(idOrName);
    if (c.info.state === 'running') return structuredClone(c.info);
    c.info.state = 'running';
    c.info.startedAt = this.now();
    c.info.pid = 1000 + this.containers.size;
    delete c.info.exit;
    this.interpret(c);
    return structuredClone(c.info);
  }

  async stop(idOrName: string): Promise<ContainerInfo> {
    const c = this.find(idOrName);
    if (c.info.state === 'running') this.finish(c, { exitCode: 143, signal: 'SIGTERM', oomKilled: false, finishedAt: this.now() });
    return structuredClone(c.info);
  }

  async kill(idOrName: string, signal: string): Promise<void> {
    const c = this.find(idOrName);
    if (c.info.state !== 'running') throw new SwarmError('CONTAINER_NOT_RUNNING', `container ${c.info.name} is not running`);
    const signo = signal === 'SIGKILL' ? 9 : signal === 'SIGINT' ? 2 : 15;
    this.finish(c, { exitCode: 128 + signo, signal, oomKilled: false, finishedAt: this.now() });
  }

  async remove(idOrName: string, force: boolean): Promise<void> {
    const c = this.find(idOrName);
    if (c.info.state === 'running' && !force) {
      throw new SwarmError('CONFLICT', `container ${c.info.name} is running: stop it first or remove with force`);
    }
    if (c.info.state === 'running') this.finish(c, { exitCode: 137, signal: 'SIGKILL', oomKilled: false, finishedAt: this.now() });
    this.containers.delete(c.info.id);
  }

  async inspect(idOrName: string): Promise<ContainerInfo> {
    return structuredClone(this.find(idOrName).info);
  }

  async list(): Promise<ContainerInfo[]> {
    return [...this.containers.values()].map((c) => structuredClone(c.info));
  }

  wait(idOrName: string): Promise<ExitStatus> {
    const c = this.find(idOrName);
    if (c.info.state === 'exited' && c.info.exit) return Promise.resolve(c.info.exit);
    return new Promise((resolve) => c.waiters.push(resolve));
  }

  async *logs(idOrName: string, options: LogOptions, signal?: AbortSignal): AsyncIterable<LogLine> {
    const c = this.find(idOrName);
    let next = options.tailLines === undefined ? 0 : Math.max(0, c.logs.length - options.tailLines);
    for (;;) {
      while (next < c.logs.length) yield c.logs[next++]!;
      if (!options.follow || c.info.state !== 'running' || signal?.aborted) return;
      await new Promise<void>((resolve) => c.logWaiters.push(resolve));
    }
  }

  async exec(idOrName: string, spec: ExecSpec, output: OutputSink): Promise<number> {
    const c = this.find(idOrName);
    if (c.info.state !== 'running') throw new SwarmError('CONTAINER_NOT_RUNNING', `container ${c.info.name} is not running`);
    const result = runProgram(spec.args);
    if (result.stdout) output('stdout', Buffer.from(result.stdout));
    return result.exitCode ?? 0;
  }

  /** Simulates the container's process dying with `exitCode`. */
  crash(idOrName: string, exitCode: number): void {
    const c = this.find(idOrName);
    if (c.info.state === 'running') this.finish(c, { exitCode, oomKilled: false, finishedAt: this.now() });
  }

  /** Simulates the kernel's OOM killer ending the container. */
  oomKill(idOrName: string): void {
    const c = this.find(idOrName);
    if (c.info.state === 'running') this.finish(c, { exitCode: 137, signal: 'SIGKILL', oomKilled: true, finishedAt: this.now() });
  }

  private interpret(c: SimContainer): void {
    const result = runProgram(c.info.args);
    if (result.stdout) this.appendLog(c, 'stdout', result.stdout);
    if (result.exitCode !== undefined) this.finish(c, { exitCode: result.exitCode, oomKilled: false, finishedAt: this.now() });
  }

  private appendLog(c: SimContainer, stream: 'stdout' | 'stderr', text: string): void {
    for (const line of text.replace(/\n$/, '').split('\n')) c.logs.push({ time: this.now(), stream, text: line });
    this.wakeLogs(c);
  }

  private finish(c: SimContainer, exit: ExitStatus): void {
    c.info.state = 'exited';
    c.info.exit = exit;
    delete c.info.pid;
    for (const resolve of c.waiters.splice(0)) resolve(exit);
    this.wakeLogs(c);
  }

  private wakeLogs(c: SimContainer): void {
    for (const resolve of c.logWaiters.splice(0)) resolve();
  }

  private find(idOrName: string): SimContainer {
    for (const c of this.containers.values()) {
      if (c.info.id === idOrName || c.info.name === idOrName || (idOrName.length >= 4 && c.info.id.startsWith(idOrName))) return c;
    }
    throw new SwarmError('CONTAINER_NOT_FOUND', `no such container: ${idOrName}`);
  }

  private now(): string {
    return new Date(this.clock.nowMs()).toISOString();
  }
}

interface SimContainer {
  info: ContainerInfo;
  logs: LogLine[];
  waiters: Array<(exit: ExitStatus) => void>;
  logWaiters: Array<() => void>;
}

/** What a program does at once: output, and an exit code unless it keeps running. */
function runProgram(args: readonly string[]): { stdout?: string; exitCode?: number } {
  const [cmd, ...rest] = args.map((a) => a.replace(/^\/bin\//, ''));
  switch (cmd) {
    case 'echo':
      return { stdout: rest.join(' ') + '\n', exitCode: 0 };
    case 'true':
      return { exitCode: 0 };
    case 'false':
      return { exitCode: 1 };
    case 'sh': {
      const script = rest[0] === '-c' ? (rest[1] ?? '') : '';
      const exit = /^exit (\d+)$/.exec(script.trim());
      if (exit) return { exitCode: Number(exit[1]) };
      const echo = /^echo (.*)$/.exec(script.trim());
      if (echo) return { stdout: echo[1] + '\n', exitCode: 0 };
      return {};
    }
    default:
      return {};
  }
}
