import { errorMessage } from '../core/errors.js';
import { ExitCode } from './context.js';

/**
 * Runs `act` for each reference in turn, as docker does for `rm a b c`: a failure is
 * printed and the others still run; the command then exits 1.
 */
export async function forEachReference<T>(references: T[], act: (reference: T) => Promise<void>): Promise<void> {
  let failed = false;
  for (const reference of references) {
    try {
      await act(reference);
    } catch (err) {
      process.stderr.write(`Error: ${errorMessage(err)}\n`);
      failed = true;
    }
  }
  if (failed) throw new ExitCode(1);
}
