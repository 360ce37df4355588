import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isSwarmError, SwarmError } from '../core/errors.js';
import { formatProblem, parseStack, type StackProblem } from '../spec/index.js';
import { mergeStackFiles, relocateProblems, relocateWarning, type MergedStackFiles } from '../spec/merge-stack-files.js';
import type { StackNetworkName } from '../cluster/commands.js';
import type { ServiceSpec } from '../spec/service-spec.js';

/** What `stack deploy` sends, and what the parser had to say about it. */
export interface LoadedStack {
  services: ServiceSpec[];
  /** What each network key stands for: the stack's own `${stack}_${key}`, or an external network's name. */
  networks: StackNetworkName[];
  warnings: string[];
}

/**
 * Reads and parses the stack files of `stack deploy -c A -c B NAME` on this machine:
 * later files override earlier ones, variables come from the environment and a `.env`
 * beside the first file, and relative paths resolve against the first file's folder (as
 * docker does). Throws STACK_INVALID with every problem of every file.
 */
export function loadStack(files: string[], stackName: string, env: NodeJS.ProcessEnv = process.env): LoadedStack {
  const texts = files.map((file) => ({ fileName: file, text: readStackFile(file) }));
  let merged: MergedStackFiles;
  try {
    merged = mergeStackFiles(texts);
  } catch (err) {
    if (isSwarmError(err, 'STACK_INVALID')) throw invalid((err.details?.['problems'] ?? []) as StackProblem[]);
    throw err;
  }
  const baseDir = dirname(resolve(files[0]!));
  const dotEnvPath = resolve(baseDir, '.env');
  try {
    const parsed = parseStack({
      fileName: merged.fileName,
      text: merged.text,
      stackName,
      env,
      ...(existsSync(dotEnvPath) ? { dotEnv: readFileSync(dotEnvPath, 'utf8') } : {}),
      baseDir,
      readFile: (path) => { try { return readFileSync(path, 'utf8'); } catch { return undefined; } },
    });
    const networks = Object.entries(parsed.stack.networks).map(([key, network]) => ({
      key, name: network.external ? network.externalName ?? key : `${stackName}_${key}`, external: network.external,
    }));
    return { services: parsed.stack.services, networks, warnings: parsed.warnings.map((w) => relocateWarning(merged, w)) };
  } catch (err) {
    if (!isSwarmError(err, 'STACK_INVALID')) throw err;
    throw invalid(relocateProblems(merged, (err.details?.['problems'] ?? []) as StackProblem[]));
  }
}

function invalid(problems: StackProblem[]): SwarmError {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return new SwarmError('STACK_INVALID', `the stack has ${count}; fix them and deploy again:\n${problems.map(formatProblem).join('\n')}`, { details: { problems } });
}

function readStackFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new SwarmError('INVALID_ARGUMENT', `cannot read stack file ${file}: ${why}; pass an existing compose file with -c FILE`);
  }
}
