import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../core/project-root.js';

/** The version the CLI and the daemon report: package.json's. */
export const cliVersion: string = JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')).version;
