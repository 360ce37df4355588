import type { TaskRecord, TaskStatusReport } from '../cluster/records.js';
import type { Clock } from '../core/clock.js';
import { errorMessage, isSwarmError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { ContainerInfo, Runtime } from '../runtime/runtime.js';
import { defaultAgentConfig, validateAgentConfig, type AgentConfig } from './agent-config.js';
import type { ImageService } from './image-service.js';
import { ReportLog } from './report-log.js';
import type { TaskNetworking } from './task-networking.js';
import { TaskController, type TaskControllerComponents } from './task-controller.js';
import { taskIdOf } from './task-labels.js';
import type { Timers } from './timers.js';
import { LocalVolumes } from './volumes.js';

/** What an agent is built from: the daemon hands it the node's runtime and services. */
export interface AgentComponents {
  nodeId: string;
  nodeHostname: string;
  runtime: Runtime;
  images: ImageService;
  /** Named volumes are directories `${stack}_${name}` under it, made at first use and kept. */
  volumesDir: string;
  clock: Clock;
  timers: Timers;
  log: Logger;
  /**
   * Receives the agent's task reports in batches, in the order they happened. Called
   * synchronously; it should queue them (for gossip or the leader) and return. If it
   * throws, the batch is offered again at the next flush.
   */
  report: (reports: TaskStatusReport[]) => void;
  /** The cluster network for task containers; undefined gives them only loopback. */
  network?: TaskNetworking;
}

/**
 * A node's agent: makes the local containers match the tasks assigned to this node and
 * reports what actually happens to each task (preparing, starting, running, complete,
 * failed, shutdown, rejected, and health). It acts only on the task list it is handed, so
 * losing the leader stops nothing; it never restarts a task (the orchestrator sends a new
 * one); and its reports only move each task forward.
 *
 * Call `recover()` once at daemon start, then `sync(tasks)` whenever this node's tasks
 * change, with the full, authoritative list each time (an empty list stops everything).
 */
export class Agent {
  private readonly controllers = new Map<string, TaskController>();
  private readonly reports: ReportLog;
  private readonly parts: TaskControllerComponents;
  /** Containers with no task whose removal is under way, so two passes do not both remove one. */
  private readonly strayRemovals = new Set<string>();
  private passes: Promise<void> = Promise.resolve();
  private nextPass: Promise<Array<Promise<void>>> | undefined;
  private wanted: readonly TaskRecord[] = [];
  private recovered = false;
  private closed = false;

  constructor(private readonly c: AgentComponents, private readonly config: AgentConfig = defaultAgentConfig()) {
    validateAgentConfig(config);
    this.reports = new ReportLog(c.report, config.pendingReportsMax, c.log);
    this.parts = {
      node: { id: c.nodeId, hostname: c.nodeHostname },
      runtime: c.runtime, images: c.images, volumes: new LocalVolumes(c.volumesDir),
      clock: c.clock, timers: c.timers, log: c.log, reports: this.reports, config, network: c.network,
    };
  }

  /**
   * Adopts the containers an earlier daemon left with this node's labels: running ones are
   * watched again (never restarted), ended ones reported. Runs before the first pass of
   * `sync` if not called; calling it again does nothing.
   */
  recover(): Promise<void> {
    const done = this.passes.then(() => this.recoverOnce());
    this.passes = done.catch(() => undefined);
    return done;
  }

  /**
   * Brings this node's containers toward `tasks`: every task assigned to this node, in
   * full. Passes run one at a time; calls made while one runs are merged into one pass
   * over the newest list. Resolves once a list at least this new has been acted on
   * (containers started or stopped, or the task rejected); exits and health changes
   * after that are reported as they happen.
   */
  sync(tasks: readonly TaskRecord[]): Promise<void> {
    this.wanted = tasks;
    if (this.nextPass === undefined) {
      const pass = this.passes.then(() => {
        this.nextPass = undefined;
        return this.pass(this.wanted);
      });
      this.nextPass = pass;
      this.passes = pass.then(() => undefined, () => undefined);
    }
    return this.nextPass.then(async (work) => {
      await Promise.all(work);
    });
  }

  /** The newest report of every task this agent knows: what to send again after the cluster may have missed some. */
  statuses(): TaskStatusReport[] {
    return this.reports.current();
  }

  /** Stops watching and health-checking. Containers keep running: they outlive the daemon, and the next one adopts them. */
  close(): void {
    this.closed = true;
    for (const controller of this.controllers.values()) controller.close();
  }

  private async recoverOnce(): Promise<void> {
    if (this.recovered || this.closed) return;
    this.recovered = true;
    let containers: ContainerInfo[];
    try {
      containers = await this.c.runtime.list();
    } catch (err) {
      this.recovered = false;
      throw err;
    }
    for (const info of containers) {
      const taskId = taskIdOf(info.labels, this.c.nodeId);
      if (taskId === undefined) continue;
      if (this.controllers.has(taskId)) {
        this.c.log.warn('a second container for one task; it is removed as a stray', { task: taskId, container: info.id });
        continue;
      }
      this.controllers.set(taskId, TaskController.adopt(this.parts, taskId, info));
      this.c.log.info('adopted a task\'s container', { task: taskId, container: info.id, state: info.state });
    }
    this.reports.flush();
  }

  /** One pass: decides what each task needs and starts it; returns the work to wait for. */
  private async pass(tasks: readonly TaskRecord[]): Promise<Array<Promise<void>>> {
    if (this.closed) return [];
    await this.recoverOnce();
    const listed = new Map<string, TaskRecord>();
    for (const task of tasks) {
      if (task.nodeId !== undefined && task.nodeId !== this.c.nodeId) {
        this.c.log.warn('ignoring a task assigned to another node', { task: task.id, node: task.nodeId });
        continue;
      }
      listed.set(task.id, task);
    }
    const work: Array<Promise<void>> = [];
    for (const task of listed.values()) work.push(this.controllerFor(task.id).update(task));
    for (const [taskId, controller] of this.controllers) {
      if (!listed.has(taskId)) work.push(this.retire(taskId, controller));
    }
    work.push(...(await this.removeStrays()));
    this.reports.flush();
    return work;
  }

  private controllerFor(taskId: string): TaskController {
    let controller = this.controllers.get(taskId);
    if (controller === undefined) {
      controller = new TaskController(this.parts, taskId);
      this.controllers.set(taskId, controller);
    }
    return controller;
  }

  private async retire(taskId: string, controller: TaskController): Promise<void> {
    await controller.retire();
    if (controller.finished && this.controllers.get(taskId) === controller) {
      this.controllers.delete(taskId);
      this.reports.forget(taskId);
    }
  }

  /** Containers labelled for this node whose task no controller holds: stopped and removed. */
  private async removeStrays(): Promise<Array<Promise<void>>> {
    let containers: ContainerInfo[];
    try {
      containers = await this.c.runtime.list();
    } catch (err) {
      this.c.log.warn('listing containers failed; strays are looked for at the next sync', { error: errorMessage(err) });
      return [];
    }
    const owned = new Set([...this.controllers.values()].map((controller) => controller.taskId));
    return containers
      .filter((info) => {
        const taskId = taskIdOf(info.labels, this.c.nodeId);
        return taskId !== undefined && !owned.has(taskId) && !this.strayRemovals.has(info.id);
      })
      .map((info) => this.removeStray(info));
  }

  private async removeStray(info: ContainerInfo): Promise<void> {
    this.strayRemovals.add(info.id);
    this.c.log.info('removing a container whose task is gone', { container: info.id, name: info.name });
    try {
      if (info.state === 'running') await this.c.runtime.stop(info.id, info.spec.stopTimeoutMs ?? this.config.strayStopTimeoutMs);
      await this.c.runtime.remove(info.id, true);
      const taskId = taskIdOf(info.labels, this.c.nodeId);
      if (taskId !== undefined) await this.c.network?.detach(taskId);
    } catch (err) {
      if (!isSwarmError(err, 'CONTAINER_NOT_FOUND')) this.c.log.warn('removing a stray container failed', { container: info.id, error: errorMessage(err) });
    } finally {
      this.strayRemovals.delete(info.id);
    }
  }
}
