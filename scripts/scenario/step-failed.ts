/** How a step that is carried out fails. */
import { describeResult, type CliResult } from './swarmts-cli.js';

/** A step did not do what it should; the message says what was expected and what happened. */
export class StepFailed extends Error {
  override readonly name = 'StepFailed';
}

/** Throws StepFailed unless the command exited 0. */
export function mustSucceed(what: string, result: CliResult): void {
  if (result.code !== 0) throw new StepFailed(`${what}: ${describeResult(result)}`);
}
