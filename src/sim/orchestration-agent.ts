import type { Random } from '../core/random.js';
import type { TaskStatusReport } from '../cluster/records.js';
import type { ServiceSpec } from '../spec/service-spec.js';
import { canTransition, isTerminal, type TaskState } from '../spec/task.js';
import type { EventLoop, TimerId } from './event-loop.js';

/**
 * A node's agent in the orchestration simulation, with the real Agent's contract
 * (src/agent/README.md) on simulated containers: it acts only on the full task list the
 * leader last sent it, never restarts a task, stops and removes containers of tasks no
 * longer wanted, and reports forward-only (a report behind what it or the cluster already
 * knows is dropped). Containers take time: preparing, starting and stopping each last a
 * random while, health turns healthy after a delay, and some images misbehave:
 *
 * - `busybox:*`: runs until stopped;
 * - `broken:*`: starts, then exits with code 1 after 0.2-2 s (an update that fails);
 * - `missing:*`: the pull fails, the task is rejected.
 *
 * Why not the real Agent over SimRuntime: the agent's container removal always awaits
 * `LocalVolumes.removeAnonymous`, a real `fs.rm`, so when a report goes out depends on the
 * disk, not on the seed; and its promise chains need a real event-loop turn after every
 * virtual step, too slow for 50 nodes and thousands of seeds.
 */

/** What the leader sends a node about one of its tasks. */
export interface TaskView {
  id: string;
  serviceId: string;
  slot: number;
  desiredState: TaskState;
  state: TaskState;
  health: TaskStatusReport['health'];
  spec: ServiceSpec;
  specVersion: number;
}

/** How long simulated container work takes, virtual ms. */
export interface SimAgentTimings {
  prepareMsMax: number;
  startMsMax: number;
  stopMsMax: number;
  /** Reports not yet seen in the leader's task list are sent again this often. */
  resendMs: number;
}

type Phase = 'preparing' | 'starting' | 'running' | 'stopping' | 'gone';

interface Container {
  taskId: string;
  phase: Phase;
  timer: TimerId | undefined;
  spec: ServiceSpec;
}

/** One node's simulated agent; see the file comment. */
export class SimAgent {
  private readonly containers = new Map<string, Container>();
  /** Furthest state known per task: reported here or seen in the leader's list. */
  private readonly known = new Map<string, TaskState>();
  /** Newest report per task not yet reflected in the leader's list. */
  private readonly unacked = new Map<string, TaskStatusReport>();
  private lastSentMs = -Infinity;

  constructor(
    readonly nodeId: string,
    private readonly loop: EventLoop,
    private readonly random: Random,
    private readonly timings: SimAgentTimings,
    /** Sends reports towards the leader (lost when the network says so). */
    private readonly send: (reports: TaskStatusReport[]) => void,
  ) {}

  /** Task ids with a container that is running, for the checker. */
  runningTaskIds(): string[] {
    return [...this.containers.values()].filter((c) => c.phase === 'running').map((c) => c.taskId);
  }

  /** Task ids with any container (starting, running or stopping). */
  containerTaskIds(): string[] {
    return [...this.containers.keys()];
  }

  /** The node lost power: every container is gone with it, and the agent's memory. */
  crash(): void {
    for (const container of this.containers.values()) if (container.timer !== undefined) this.loop.cancel(container.timer);
    this.containers.clear();
    this.known.clear();
    this.unacked.clear();
  }

  /** A container's process died by itself (exit 1). */
  crashContainer(taskId: string): boolean {
    const container = this.containers.get(taskId);
    if (container === undefined || container.phase !== 'running') return false;
    this.exit(container, 1, 'exit 1: the container crashed');
    return true;
  }

  /** The full list of this node's tasks, as the leader has them. */
  sync(tasks: readonly TaskView[]): void {
    const listed = new Set<string>();
    for (const task of tasks) {
      listed.add(task.id);
      this.observe(task);
      this.act(task);
    }
    for (const container of [...this.containers.values()]) if (!listed.has(container.taskId)) this.stop(container, false);
    for (const taskId of [...this.known.keys()]) if (!listed.has(taskId) && !this.containers.has(taskId)) this.forget(taskId);
    this.flush(false);
  }

  /** Sends every report not yet reflected, if the resend interval passed. */
  tick(): void {
    this.flush(true);
  }

  private observe(task: TaskView): void {
    const known = this.known.get(task.id);
    if (known === undefined || canTransition(known, task.state)) this.known.set(task.id, task.state);
    const pending = this.unacked.get(task.id);
    if (pending !== undefined && reflected(task, pending)) this.unacked.delete(task.id);
  }

  private act(task: TaskView): void {
    const container = this.containers.get(task.id);
    const known = this.known.get(task.id)!;
    if (task.desiredState === 'running') {
      if (container !== undefined) return;
      // Like the real agent, a task not yet past running gets a container, also after a restart lost the first one.
      if (canTransition(known, 'running')) this.create(task);
      else if (known === 'running') this.report(task.id, 'failed', 'the task\'s container is gone from this node');
      return;
    }
    if (container !== undefined) this.stop(container, true);
    else if (!isTerminal(known)) this.report(task.id, 'shutdown', '');
  }

  private create(task: TaskView): void {
    const container: Container = { taskId: task.id, phase: 'preparing', timer: undefined, spec: task.spec };
    this.containers.set(task.id, container);
    this.report(task.id, 'preparing', '');
    container.timer = this.loop.after(this.random.int(this.timings.prepareMsMax + 1), () => {
      if (task.spec.image.startsWith('missing')) {
        this.containers.delete(task.id);
        this.report(task.id, 'rejected', `pulling image ${task.spec.image}: manifest unknown`);
        this.flush(false);
        return;
      }
      container.phase = 'starting';
      this.report(task.id, 'starting', '');
      this.flush(false);
      container.timer = this.loop.after(this.random.int(this.timings.startMsMax + 1), () => this.run(container));
    });
  }

  private run(container: Container): void {
    container.phase = 'running';
    container.timer = undefined;
    const healthy = container.spec.healthcheck === undefined ? undefined : 'starting';
    this.report(container.taskId, 'running', '', undefined, healthy);
    if (container.spec.image.startsWith('broken')) {
      container.timer = this.loop.after(this.random.intBetween(200, 2000), () => this.exit(container, 1, 'exit 1'));
    } else if (container.spec.healthcheck !== undefined) {
      container.timer = this.loop.after(this.random.intBetween(100, 1000), () => {
        container.timer = undefined;
        this.report(container.taskId, 'running', '', undefined, 'healthy');
        this.flush(false);
      });
    }
    this.flush(false);
  }

  private exit(container: Container, exitCode: number, error: string): void {
    if (container.timer !== undefined) this.loop.cancel(container.timer);
    this.containers.delete(container.taskId);
    this.report(container.taskId, 'failed', error, exitCode);
    this.flush(false);
  }

  /** Stops and removes a container; reports shutdown unless its task was deleted. */
  private stop(container: Container, reportIt: boolean): void {
    if (container.phase === 'stopping') return;
    if (container.timer !== undefined) this.loop.cancel(container.timer);
    const wasRunning = container.phase === 'running';
    container.phase = 'stopping';
    container.timer = this.loop.after(wasRunning ? this.random.int(this.timings.stopMsMax + 1) : 0, () => {
      this.containers.delete(container.taskId);
      if (reportIt) this.report(container.taskId, 'shutdown', '', wasRunning ? 143 : undefined);
      else this.forget(container.taskId);
      this.flush(false);
    });
  }

  private forget(taskId: string): void {
    this.known.delete(taskId);
    this.unacked.delete(taskId);
  }

  private report(taskId: string, state: TaskState, error: string, exitCode?: number, health?: TaskStatusReport['health']): void {
    const known = this.known.get(taskId);
    const same = known === state;
    if (known !== undefined && !same && !canTransition(known, state)) return;
    if (same && (health === undefined || this.unacked.get(taskId)?.health === health)) return;
    this.known.set(taskId, state);
    const report: TaskStatusReport = { taskId, state, error, atMs: this.loop.nowMs() };
    if (exitCode !== undefined) report.exitCode = exitCode;
    if (health !== undefined) report.health = health;
    this.unacked.set(taskId, report);
    this.lastSentMs = -Infinity;
  }

  private flush(resendOnly: boolean): void {
    if (this.unacked.size === 0) return;
    const now = this.loop.nowMs();
    if (resendOnly && now - this.lastSentMs < this.timings.resendMs) return;
    if (!resendOnly && this.lastSentMs === now) return;
    this.lastSentMs = now;
    this.send([...this.unacked.values()]);
  }
}

/** Whether the leader's list already shows what `report` says, or moved past it. */
function reflected(task: TaskView, report: TaskStatusReport): boolean {
  if (task.state === report.state) return report.health === undefined || task.health === report.health;
  return !canTransition(task.state, report.state);
}
