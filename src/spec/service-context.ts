import type { VariableLookup } from './interpolate.js';
import type { Reporter } from './reporter.js';

/** What the validators of one service need to know about the rest of the stack. */
export interface ServiceContext {
  r: Reporter;
  stack: string;
  service: string;
  /** Key path of the service, `services.<name>`. */
  path: string;
  /** Folder relative bind mounts and env files are resolved against. */
  baseDir: string;
  /** Networks and volumes declared at the top level, and every service name (this one too, so depending on itself shows as a cycle). */
  networks: ReadonlySet<string>;
  volumes: ReadonlySet<string>;
  services: readonly string[];
  /** Shell environment first, then `.env`: for bare `environment` keys. */
  lookupVariable: VariableLookup;
  readFile: (path: string) => string | undefined;
}
