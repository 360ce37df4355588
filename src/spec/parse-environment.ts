import { parseEnvFile } from './env-file.js';
import { resolvePath } from './posix-path.js';
import { child, readKeyValues, readStringList, type Fields } from './read-values.js';
import type { ServiceContext } from './service-context.js';
import { templateError } from './template.js';
import type { SourcePos } from './yaml-tree.js';

/**
 * A service's environment: `env_file` files first, in order, then `environment`, which
 * wins. A bare `KEY` takes its value from the shell environment (then `.env`) and is left
 * out, with a warning, when it is not set there.
 */
export function readEnvironment(fields: Fields, ctx: ServiceContext): Record<string, string> {
  const env: Record<string, string> = {};
  const set = (key: string, value: string | undefined, pos: SourcePos, path: string) => {
    const resolved = value ?? ctx.lookupVariable(key);
    if (resolved === undefined) {
      ctx.r.warn(pos, path, `${key} is not set in the environment; left out`);
      return;
    }
    const template = templateError(resolved);
    if (template !== undefined) ctx.r.error(pos, path, template);
    else env[key] = resolved;
  };
  const fileNode = fields.present('env_file');
  const files = fileNode === undefined ? [] : readStringList(fileNode, fields.at('env_file'), ctx.r, true) ?? [];
  files.forEach((file, i) => {
    const pos = fileNode!.kind === 'seq' ? fileNode!.items[i]!.pos : fileNode!.pos;
    const path = fileNode!.kind === 'seq' ? child(fields.at('env_file'), i) : fields.at('env_file');
    const resolved = resolvePath(ctx.baseDir, file);
    const text = ctx.readFile(resolved);
    if (text === undefined) {
      ctx.r.error(pos, path, `cannot read env file "${file}" (looked for ${resolved})`);
      return;
    }
    const parsed = parseEnvFile(text);
    for (const err of parsed.errors) ctx.r.error(pos, path, `${file}:${err.line}: ${err.message}`);
    for (const entry of parsed.entries) set(entry.key, entry.value, pos, path);
  });
  const envNode = fields.present('environment');
  for (const { key, value, pos } of (envNode && readKeyValues(envNode, fields.at('environment'), ctx.r)) ?? []) {
    set(key, value, pos, child(fields.at('environment'), key));
  }
  return env;
}
