/**
 * The `.env` / `env_file` format: one `KEY=value` a line, `#` comments and blank lines
 * skipped, an optional `export ` prefix, values optionally in single or double quotes.
 * A bare `KEY` means "take KEY from the environment" (value undefined).
 */

/** One variable of an env file; `value` is undefined for a bare `KEY` line. */
export interface EnvFileEntry {
  key: string;
  value: string | undefined;
  line: number;
}

/** A line that is not `KEY=value` or `KEY`, with its 1-based number. */
export interface EnvFileError {
  line: number;
  message: string;
}

const keyPattern = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Parses env-file text into entries in file order, and every malformed line. */
export function parseEnvFile(text: string): { entries: EnvFileEntry[]; errors: EnvFileError[] } {
  const entries: EnvFileEntry[] = [];
  const errors: EnvFileError[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim().replace(/^export\s+/, '');
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const eq = trimmed.indexOf('=');
    const key = (eq < 0 ? trimmed : trimmed.slice(0, eq)).trim();
    if (!keyPattern.test(key)) {
      errors.push({ line, message: `expected KEY=value, got "${raw.trim()}"` });
      return;
    }
    entries.push({ key, value: eq < 0 ? undefined : unquote(trimmed.slice(eq + 1).trim()), line });
  });
  return { entries, errors };
}

function unquote(value: string): string {
  const quote = value[0];
  if ((quote === '"' || quote === "'") && value.length >= 2 && value.endsWith(quote)) {
    const inner = value.slice(1, -1);
    return quote === '"' ? inner.replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1') : inner;
  }
  return value.replace(/\s+#.*$/, '');
}

/** The entries with values, as a map; later lines win, as in compose. */
export function envFileVariables(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const entry of parseEnvFile(text).entries) if (entry.value !== undefined) vars[entry.key] = entry.value;
  return vars;
}
