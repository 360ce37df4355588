import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './project-root.js';

/** The version the CLI and the daemon report: package.json's. */
export const swarmtsVersion: string = JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')).version;
