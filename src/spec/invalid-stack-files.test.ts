import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from '../core/errors.js';
import { projectRoot } from '../core/project-root.js';
import { parseStack } from './parse-stack.js';

/**
 * Golden tests: each testdata/invalid/X.yml must fail with exactly the lines in X.golden.
 * SWARMTS_UPDATE_GOLDEN=1 rewrites the golden files; read the diff before committing it.
 */

const dir = join(projectRoot(), 'src/spec/testdata/invalid');
const update = process.env['SWARMTS_UPDATE_GOLDEN'] === '1';

for (const name of readdirSync(dir).filter((f) => f.endsWith('.yml')).sort()) {
  test(`${name} fails with every problem listed in ${name.replace(/\.yml$/, '.golden')}`, () => {
    let message = '';
    try {
      parseStack({ fileName: name, text: readFileSync(join(dir, name), 'utf8'), stackName: 'demo', env: {}, baseDir: '/srv/demo', readFile: () => undefined });
    } catch (err) {
      if (!isSwarmError(err, 'STACK_INVALID')) throw err;
      message = `${err.message}\n`;
    }
    const golden = join(dir, name.replace(/\.yml$/, '.golden'));
    if (update) writeFileSync(golden, message);
    assert.fixture(message, readFileSync(golden, 'utf8'));
  });
}

test.run();
