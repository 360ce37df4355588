import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Runtime } from '../runtime/runtime.js';
import type { HealthcheckSpec } from '../spec/service-spec.js';
import type { Timers } from './timers.js';

/** A task's health, as `TaskRecord.health` holds it. */
export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

/** What a health check needs from the agent. */
export interface HealthCheckComponents {
  runtime: Runtime;
  timers: Timers;
  clock: Clock;
  log: Logger;
}

/** The command a health check runs in the container, or undefined when there is none to run (`NONE`, empty). */
export function healthProbeArgs(test: readonly string[]): string[] | undefined {
  const [kind, ...rest] = test;
  if (kind === 'CMD' && rest.length > 0) return rest;
  if (kind === 'CMD-SHELL' && rest.length === 1) return ['/bin/sh', '-c', rest[0]!]; // as Docker runs it
  return undefined;
}

/** Retries below one would make every failure fatal at once; Docker treats 0 as its default of 3. */
const retriesDefault = 3;
/** A probe interval of 0 would spin; Docker's default interval is 30 s. */
const intervalMsDefault = 30_000;
/** A timeout of 0 would fail every probe; Docker's default timeout is 30 s. */
const timeoutMsDefault = 30_000;

/**
 * Docker's health check for one running container: the probe runs `intervalMs` after the
 * previous one ended (the first `intervalMs` after start); a probe that exits non-zero,
 * fails to run, or outlasts `timeoutMs` fails. `retries` failures in a row make the
 * container unhealthy, one success makes it healthy. While the container is still
 * `starting` and within `startPeriodMs` of its start, failures do not count. `onChange`
 * hears every change of status; nothing is heard after `stop()`.
 */
export class HealthCheck {
  private statusNow: HealthStatus = 'starting';
  private failuresInRow = 0;
  private timer: number | undefined;
  private stopped = false;
  private readonly startedAtMs: number;

  constructor(
    private readonly c: HealthCheckComponents,
    private readonly containerId: string,
    private readonly spec: HealthcheckSpec,
    private readonly args: string[],
    private readonly onChange: (status: HealthStatus) => void,
    private readonly outputBytesMax: number,
  ) {
    this.startedAtMs = c.clock.nowMs();
  }

  get status(): HealthStatus {
    return this.statusNow;
  }

  /** Schedules the first probe. */
  start(): void {
    this.schedule();
  }

  /** Stops probing; a probe in flight is ignored when it ends. Idempotent. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.c.timers.cancel(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.stopped) return;
    const intervalMs = this.spec.intervalMs > 0 ? this.spec.intervalMs : intervalMsDefault;
    this.timer = this.c.timers.after(intervalMs, () => {
      this.timer = undefined;
      void this.probe();
    });
  }

  private async probe(): Promise<void> {
    const result = await this.runProbe();
    if (this.stopped) return;
    this.record(result.ok, result.output);
    this.schedule();
  }

  private record(ok: boolean, output: string): void {
    if (ok) {
      this.failuresInRow = 0;
      this.change('healthy');
      return;
    }
    const inStartPeriod = this.statusNow === 'starting' && this.c.clock.nowMs() - this.startedAtMs < this.spec.startPeriodMs;
    this.c.log.debug('health probe failed', { container: this.containerId, counted: !inStartPeriod, output });
    if (inStartPeriod) return;
    this.failuresInRow++;
    const retries = this.spec.retries > 0 ? this.spec.retries : retriesDefault;
    if (this.failuresInRow >= retries) this.change('unhealthy');
  }

  private change(status: HealthStatus): void {
    if (status === this.statusNow) return;
    this.statusNow = status;
    this.onChange(status);
  }

  /** One probe; never rejects. A probe that times out keeps running in the container, but its result is ignored. */
  private runProbe(): Promise<{ ok: boolean; output: string }> {
    return new Promise((resolve) => {
      let output = '';
      let done = false;
      const finish = (ok: boolean, text: string): void => {
        if (done) return;
        done = true;
        this.c.timers.cancel(timeout);
        resolve({ ok, output: text });
      };
      const timeoutMs = this.spec.timeoutMs > 0 ? this.spec.timeoutMs : timeoutMsDefault;
      const timeout = this.c.timers.after(timeoutMs, () => finish(false, `timed out after ${timeoutMs} ms`));
      const sink = (_stream: 'stdout' | 'stderr', chunk: Buffer): void => {
        if (output.length < this.outputBytesMax) output = (output + chunk.toString('utf8')).slice(0, this.outputBytesMax);
      };
      this.c.runtime.exec(this.containerId, { args: this.args, env: [] }, sink).then(
        (code) => finish(code === 0, code === 0 ? output : `exit code ${code}: ${output}`),
        (err: unknown) => finish(false, `probe did not run: ${errorMessage(err)}`),
      );
    });
  }
}
