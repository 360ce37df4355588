import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { projectRoot } from '../core/project-root.js';
import { runInteractionScript } from './interaction.js';

/**
 * Runs every script in testdata/ and compares each command's output with the golden
 * output written under it. SWARMTS_REWRITE=1 rewrites the files with the actual output;
 * read the diff before committing it.
 */
// The scripts live in the source tree: this test also runs compiled from dist/.
const dir = join(projectRoot(), 'src', 'raft', 'testdata');
const rewrite = process.env['SWARMTS_REWRITE'] === '1';

for (const name of readdirSync(dir).filter((f) => f.endsWith('.txt')).sort()) {
  test(`interaction script ${name} produces its golden output`, () => {
    const path = join(dir, name);
    const result = runInteractionScript(readFileSync(path, 'utf8'));
    if (rewrite) {
      writeFileSync(path, result.rewritten);
      return;
    }
    assert.ok(result.mismatches.length === 0, `${name}:\n${result.mismatches.join('\n\n')}`);
  });
}

test.run();
