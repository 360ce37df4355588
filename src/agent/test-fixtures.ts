import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskRecord, TaskStatusReport } from '../cluster/records.js';
import { ManualClock } from '../core/clock.js';
import { Logger } from '../core/logger.js';
import type { ExecSpec, OutputSink } from '../runtime/runtime.js';
import { SimRuntime } from '../runtime/sim-runtime.js';
import { parseStack } from '../spec/parse-stack.js';
import type { ServiceSpec } from '../spec/service-spec.js';
import type { TaskState } from '../spec/task.js';
import { Agent } from './agent.js';
import { defaultAgentConfig, type AgentConfig } from './agent-config.js';
import { MemoryImageService, type ImageService } from './image-service.js';
import { ManualTimers, settle } from './timers.js';

/** Test helpers for the agent: specs from stack-file text, tasks, and an agent on a SimRuntime in virtual time. */

/** The spec of service `web` in stack `demo`, from the YAML of its body (indented by four spaces). */
export function webSpec(body = '    image: busybox\n', volumes: string[] = []): ServiceSpec {
  const declared = volumes.length === 0 ? '' : `volumes:\n${volumes.map((v) => `  ${v}: {}\n`).join('')}`;
  const text = `services:\n  web:\n${body}${declared}`;
  const parsed = parseStack({ fileName: 'stack.yml', text, stackName: 'demo', env: {}, readFile: () => undefined, baseDir: '/srv' });
  return parsed.stack.services[0]!;
}

/** A task of `spec` assigned to node `n1`, desired running. */
export function taskOf(spec: ServiceSpec, id: string, over: Partial<TaskRecord> = {}): TaskRecord {
  return {
    id, serviceId: 'svc-web', slot: 1, nodeId: 'n1', desiredState: 'running', state: 'assigned', error: '',
    createdAtMs: 0, updatedAtMs: 0, spec, specVersion: 1, containerId: undefined, exitCode: undefined, health: undefined, address: undefined, networks: [],
    ...over,
  };
}

/** A SimRuntime whose `exec` of `hang` never returns, to test probe timeouts. */
export class HangingExecRuntime extends SimRuntime {
  override exec(idOrName: string, spec: ExecSpec, output: OutputSink): Promise<number> {
    if (spec.args[0] === 'hang') return new Promise(() => {});
    return super.exec(idOrName, spec, output);
  }
}

/** What a test may swap in the harness. */
export interface HarnessOptions {
  runtime?: SimRuntime;
  config?: Partial<AgentConfig>;
  /** Replaces the MemoryImageService (which knows only busybox). */
  images?: ImageService;
  /** Sees each batch before the harness records it; throwing refuses it, as a failing callback would. */
  report?: (reports: TaskStatusReport[]) => void;
}

/** An agent on node `n1` over a SimRuntime, a ManualClock and ManualTimers, recording every report. */
export class AgentHarness {
  readonly clock = new ManualClock(1_000);
  readonly timers = new ManualTimers(this.clock);
  readonly runtime: SimRuntime;
  readonly images = new MemoryImageService(new Set(['busybox']));
  private readonly options: HarnessOptions;
  readonly volumesDir = mkdtempSync(join(tmpdir(), 'swarmts-agent-vol-'));
  readonly batches: TaskStatusReport[][] = [];
  readonly logLines: string[] = [];
  agent: Agent;

  constructor(options: HarnessOptions = {}) {
    this.options = options;
    this.runtime = options.runtime ?? new HangingExecRuntime(this.clock);
    this.agent = this.newAgent();
  }

  /** A fresh agent over the same runtime, as after a daemon restart (the old one is closed). */
  restart(): Agent {
    this.agent.close();
    this.agent = this.newAgent();
    return this.agent;
  }

  get reports(): TaskStatusReport[] {
    return this.batches.flat();
  }

  /** The states reported for a task, in order. */
  states(taskId: string): TaskState[] {
    return this.reports.filter((r) => r.taskId === taskId).map((r) => r.state);
  }

  last(taskId: string): TaskStatusReport | undefined {
    return this.reports.filter((r) => r.taskId === taskId).at(-1);
  }

  /** Syncs and lets the events that follow (exits) be handled. */
  async sync(tasks: TaskRecord[]): Promise<void> {
    await this.agent.sync(tasks);
    await settle();
  }

  cleanup(): void {
    this.agent.close();
    rmSync(this.volumesDir, { recursive: true, force: true });
  }

  private newAgent(): Agent {
    const record = (reports: TaskStatusReport[]): void => {
      this.options.report?.(reports);
      this.batches.push(reports);
    };
    return new Agent({
      nodeId: 'n1', nodeHostname: 'host-one', runtime: this.runtime, images: this.options.images ?? this.images, volumesDir: this.volumesDir,
      clock: this.clock, timers: this.timers,
      log: new Logger({ level: 'debug', format: 'text', sink: (line) => this.logLines.push(line) }),
      report: record,
    }, { ...defaultAgentConfig(), ...this.options.config });
  }
}
