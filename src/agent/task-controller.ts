import type { TaskRecord, TaskStatusReport } from '../cluster/records.js';
import { assert } from '../core/assert.js';
import type { Clock } from '../core/clock.js';
import { errorMessage, isSwarmError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { ContainerInfo, ContainerSpec, ExitStatus, Runtime } from '../runtime/runtime.js';
import { canTransition, isTerminal, type TaskState } from '../spec/task.js';
import type { AgentConfig } from './agent-config.js';
import { buildContainerSpec, templateContextOf, type AgentNode } from './container-spec.js';
import { exitOutcome } from './exit-outcome.js';
import { HealthCheck, healthProbeArgs } from './health-check.js';
import type { ImageService } from './image-service.js';
import type { ReportLog } from './report-log.js';
import type { TaskNetworking } from './task-networking.js';
import { resolveTaskMounts } from './task-mounts.js';
import type { Timers } from './timers.js';
import type { LocalVolumes } from './volumes.js';

/** What a task controller needs; shared by all of one agent's controllers. */
export interface TaskControllerComponents {
  node: AgentNode;
  runtime: Runtime;
  images: ImageService;
  volumes: LocalVolumes;
  clock: Clock;
  timers: Timers;
  log: Logger;
  reports: ReportLog;
  config: AgentConfig;
  network: TaskNetworking | undefined;
}

/**
 * Where the task's container stands, as this controller made or found it:
 * idle (none yet) -> created -> running -> exited (ended by itself, kept until shutdown) -> gone,
 * with `stopping` while a stop the agent asked for is under way.
 */
type Phase = 'idle' | 'created' | 'running' | 'stopping' | 'exited' | 'gone';

/** A task's whole life is at most six steps (prepare, start, stop, remove...); more in one round is a bug. */
const stepsPerRoundMax = 16;

/**
 * One task's life on this node: prepares and starts its container while the task is
 * desired running, watches it, runs its health check, and stops and removes it when the
 * task is desired elsewhere or deleted. It never starts a task twice: a task that ended is
 * `gone` for good, and the orchestrator sends a new task instead.
 *
 * All work runs in `drive()`, one step at a time, never two at once; `update` and
 * `retire` only change what is wanted and kick the loop. Container exits and health
 * changes arrive as events and are reported at once.
 */
export class TaskController {
  private task: TaskRecord | undefined;
  private phase: Phase = 'idle';
  private containerId: string | undefined;
  /** For an adopted container: the grace it was created with, used until its task is known. */
  private adoptedStopTimeoutMs: number | undefined;
  private health: HealthCheck | undefined;
  private retired = false;
  private closed = false;
  private dirty = false;
  private driving: Promise<void> | undefined;

  constructor(private readonly c: TaskControllerComponents, readonly taskId: string) {}

  /** A controller for a container an earlier daemon made: watched again if running, reported if it ended. */
  static adopt(c: TaskControllerComponents, taskId: string, info: ContainerInfo): TaskController {
    const controller = new TaskController(c, taskId);
    controller.containerId = info.id;
    controller.adoptedStopTimeoutMs = info.spec.stopTimeoutMs;
    if (info.state === 'running') {
      controller.phase = 'running';
      controller.watch(info.id);
      controller.report('running', '');
    } else if (info.state === 'exited') {
      controller.phase = 'exited';
      const outcome = exitOutcome(info.exit ?? { exitCode: -1, oomKilled: false, finishedAt: '' });
      controller.report(outcome.state, outcome.error, outcome.exitCode);
    } else {
      controller.phase = 'created';
    }
    return controller;
  }

  /** The task as the cluster now has it; resolves when the controller has acted on it. */
  update(task: TaskRecord): Promise<void> {
    this.task = task;
    this.c.reports.observe(task.id, task.state);
    return this.drive();
  }

  /** The task was deleted: stop and remove its container, reporting nothing more. */
  retire(): Promise<void> {
    this.retired = true;
    return this.drive();
  }

  /** True once a retired controller has nothing left to do and can be dropped. */
  get finished(): boolean {
    return this.retired && this.phase === 'gone' && this.driving === undefined;
  }

  /** Stops health checks and stops listening; the container itself is left as it is. */
  close(): void {
    this.closed = true;
    this.stopHealth();
  }

  private wantsRunning(): boolean {
    return !this.retired && !this.closed && this.task?.desiredState === 'running';
  }

  private drive(): Promise<void> {
    this.dirty = true;
    if (this.driving === undefined) {
      this.driving = (async () => {
        try {
          while (this.dirty) {
            this.dirty = false;
            let steps = 0;
            while (await this.stepSafely()) assert(++steps < stepsPerRoundMax, `task ${this.taskId} took ${steps} steps in one round (phase ${this.phase})`);
            this.c.reports.flush();
          }
        } finally {
          this.driving = undefined;
        }
      })();
    }
    return this.driving;
  }

  /** One step; an unexpected error is logged and ends this round (the next sync tries again). */
  private async stepSafely(): Promise<boolean> {
    try {
      return await this.step();
    } catch (err) {
      this.c.log.error('task step failed', { task: this.taskId, phase: this.phase, error: errorMessage(err) });
      return false;
    }
  }

  /** Does the next thing toward what is wanted; true when there may be more to do. */
  private async step(): Promise<boolean> {
    if (this.closed || (this.task === undefined && !this.retired)) return false;
    switch (this.phase) {
      case 'idle':
        return this.stepIdle();
      case 'created':
        if (this.wantsRunning() && this.mayRun()) return this.startContainer();
        await this.removeContainer();
        this.end();
        return false;
      case 'running':
        if (this.wantsRunning()) {
          this.ensureHealth();
          return false;
        }
        return this.stopContainer();
      case 'exited':
        if (this.wantsRunning()) return false;
        await this.removeContainer();
        this.phase = 'gone';
        return false;
      case 'stopping':
      case 'gone':
        return false;
    }
  }

  /** Whether the task has not yet gone past `running`, so starting its container moves it forward. */
  private mayRun(): boolean {
    const known = this.c.reports.stateOf(this.taskId);
    return known === undefined || canTransition(known, 'running');
  }

  private async stepIdle(): Promise<boolean> {
    if (!this.wantsRunning()) {
      this.end();
      return false;
    }
    if (this.mayRun()) return this.prepare();
    if (this.c.reports.stateOf(this.taskId) === 'running') {
      // The cluster has it running, but this node has no container for it: lost while no daemon watched.
      this.report('failed', 'the task\'s container is gone from this node');
    }
    this.phase = 'gone';
    return false;
  }

  /** preparing: the image, the mounts, the container. Any failure rejects the task. */
  private async prepare(): Promise<boolean> {
    const task = this.task!;
    this.report('preparing', '');
    this.c.reports.flush();
    try {
      await this.c.images.ensureImage(task.spec.image);
    } catch (err) {
      return this.reject(`pulling image ${task.spec.image}: ${errorMessage(err)}`);
    }
    if (!this.wantsRunning()) return true;
    let spec: ContainerSpec;
    try {
      const mounts = await resolveTaskMounts(task, templateContextOf(task, this.c.node), this.c.volumes);
      spec = buildContainerSpec(task, this.c.node, mounts);
    } catch (err) {
      return this.reject(errorMessage(err));
    }
    if (!this.wantsRunning()) return true;
    if (this.c.network !== undefined) {
      try {
        const attachment = await this.c.network.attach(task, spec.hostname ?? '');
        spec = { ...spec, network: attachment.network, mounts: [...spec.mounts, ...attachment.mounts] };
      } catch (err) {
        return this.reject(`connecting to the network: ${errorMessage(err)}`);
      }
    }
    try {
      this.containerId = (await this.c.runtime.create(spec)).id;
    } catch (err) {
      return this.reject(`creating container: ${errorMessage(err)}`);
    }
    this.phase = 'created';
    this.report('starting', '');
    this.c.reports.flush();
    return true;
  }

  private reject(error: string): boolean {
    this.c.log.warn('task rejected', { task: this.taskId, error });
    this.report('rejected', error);
    this.phase = 'gone';
    void this.c.volumes.removeAnonymous(this.taskId).catch(() => undefined);
    void this.detachNetwork();
    return false;
  }

  private async startContainer(): Promise<boolean> {
    const id = this.containerId!;
    try {
      await this.c.runtime.start(id);
    } catch (err) {
      this.report('failed', `starting container: ${errorMessage(err)}`);
      this.phase = 'exited';
      return true;
    }
    this.phase = 'running';
    this.watch(id);
    this.ensureHealth();
    this.report('running', '');
    return true;
  }

  /** Stops the container with the task's grace period, removes it, reports shutdown. */
  private async stopContainer(): Promise<boolean> {
    const id = this.containerId!;
    this.phase = 'stopping';
    this.stopHealth();
    let exitCode: number | undefined;
    try {
      exitCode = (await this.c.runtime.stop(id, this.stopTimeoutMs())).exit?.exitCode;
    } catch (err) {
      if (!isSwarmError(err, 'CONTAINER_NOT_FOUND')) {
        this.c.log.error('stopping a task\'s container failed; the next sync tries again', { task: this.taskId, container: id, error: errorMessage(err) });
        this.phase = 'running';
        return false;
      }
    }
    await this.removeContainer();
    this.end(exitCode);
    return false;
  }

  private stopTimeoutMs(): number {
    return this.task?.spec.stopGracePeriodMs ?? this.adoptedStopTimeoutMs ?? this.c.config.strayStopTimeoutMs;
  }

  /** Removes the container, the task's anonymous volumes and its network; failures are logged (the stray sweep retries). */
  private async removeContainer(): Promise<void> {
    const id = this.containerId;
    if (id !== undefined) {
      try {
        await this.c.runtime.remove(id, true);
      } catch (err) {
        if (!isSwarmError(err, 'CONTAINER_NOT_FOUND')) this.c.log.warn('removing a task\'s container failed', { task: this.taskId, container: id, error: errorMessage(err) });
      }
    }
    try {
      await this.c.volumes.removeAnonymous(this.taskId);
    } catch (err) {
      this.c.log.warn('removing a task\'s anonymous volumes failed', { task: this.taskId, error: errorMessage(err) });
    }
    await this.detachNetwork();
  }

  private async detachNetwork(): Promise<void> {
    try {
      await this.c.network?.detach(this.taskId);
    } catch (err) {
      this.c.log.warn('removing a task\'s network failed', { task: this.taskId, error: errorMessage(err) });
    }
  }

  /** The task will not run (any more) on this node: shutdown, unless it already ended or was deleted. */
  private end(exitCode?: number): void {
    const known = this.c.reports.stateOf(this.taskId);
    if (!this.retired && (known === undefined || !isTerminal(known))) this.report('shutdown', '', exitCode);
    this.phase = 'gone';
  }

  private watch(id: string): void {
    this.c.runtime.wait(id).then(
      (exit) => this.onExit(id, exit),
      (err: unknown) => {
        if (!this.closed) this.c.log.warn('lost track of a task\'s container', { task: this.taskId, container: id, error: errorMessage(err) });
      },
    );
  }

  private onExit(id: string, exit: ExitStatus): void {
    if (this.closed || this.phase !== 'running' || this.containerId !== id) return;
    this.stopHealth();
    this.phase = 'exited';
    const outcome = exitOutcome(exit);
    this.report(outcome.state, outcome.error, outcome.exitCode);
    this.c.reports.flush();
    void this.drive();
  }

  private ensureHealth(): void {
    const check = this.task?.spec.healthcheck;
    const args = check === undefined ? undefined : healthProbeArgs(check.test);
    if (this.health !== undefined || check === undefined || args === undefined || this.phase !== 'running') return;
    this.health = new HealthCheck(this.c, this.containerId!, check, args, () => this.onHealth(), this.c.config.healthOutputBytesMax);
    this.health.start();
    // An adopted container was reported before its spec was known: tell its health now.
    if (this.c.reports.stateOf(this.taskId) === 'running') this.onHealth();
  }

  private onHealth(): void {
    if (this.phase !== 'running' || this.closed) return;
    this.report('running', '');
    this.c.reports.flush();
  }

  private stopHealth(): void {
    this.health?.stop();
    this.health = undefined;
  }

  private report(state: TaskState, error: string, exitCode?: number): void {
    const report: TaskStatusReport = { taskId: this.taskId, state, error, atMs: this.c.clock.nowMs() };
    if (this.containerId !== undefined) report.containerId = this.containerId;
    if (exitCode !== undefined) report.exitCode = exitCode;
    if (state === 'running' && this.health !== undefined) report.health = this.health.status;
    this.c.reports.push(report);
  }
}
