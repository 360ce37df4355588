import { SwarmError } from '../core/errors.js';

/** Settings of a node's agent. */
export interface AgentConfig {
  /**
   * Most task reports held while the report callback throws. Past it, each task's pending
   * reports are merged into its newest one (states only move forward, and every report
   * after create carries the container id, so the merge loses no fact the cluster keeps).
   * Default 10 000: far more than the tasks one node runs.
   */
  pendingReportsMax: number;
  /** Bytes of a health probe's output kept for the log line of a failed probe. Default 4096, as Docker keeps. */
  healthOutputBytesMax: number;
  /**
   * How long a container without a task (its task was deleted, or it was left by an
   * earlier daemon) gets between the stop signal and SIGKILL, when it carries no grace
   * period of its own. Default 10 000 ms, Docker's stop timeout.
   */
  strayStopTimeoutMs: number;
}

export function defaultAgentConfig(): AgentConfig {
  return { pendingReportsMax: 10_000, healthOutputBytesMax: 4096, strayStopTimeoutMs: 10_000 };
}

/** Throws INVALID_CONFIG naming every field that is out of range. */
export function validateAgentConfig(config: AgentConfig): void {
  const problems: string[] = [];
  const positiveInteger = (name: keyof AgentConfig): void => {
    const value = config[name];
    if (!Number.isSafeInteger(value) || value < 1) problems.push(`${name}: expected a whole number >= 1, got ${value}`);
  };
  positiveInteger('pendingReportsMax');
  positiveInteger('healthOutputBytesMax');
  if (!Number.isFinite(config.strayStopTimeoutMs) || config.strayStopTimeoutMs < 0) {
    problems.push(`strayStopTimeoutMs: expected milliseconds >= 0, got ${config.strayStopTimeoutMs}`);
  }
  if (problems.length > 0) throw new SwarmError('INVALID_CONFIG', `agent config: ${problems.join('; ')}`, { details: { problems } });
}
