import { randomInt } from 'node:crypto';

/**
 * The seed for a randomized test or simulation: SWARMTS_SEED when set (to replay a
 * failure), otherwise a fresh one. Print it on failure so the run can be replayed.
 */
export function testSeed(env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = env['SWARMTS_SEED'];
  if (fromEnv !== undefined && fromEnv !== '') {
    const seed = Number(fromEnv);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`SWARMTS_SEED must be an integer in [0, 4294967295], got "${fromEnv}"`);
    }
    return seed;
  }
  return randomInt(0, 0xffffffff);
}
