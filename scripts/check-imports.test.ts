import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { projectRoot } from '../src/core/project-root.js';
import { checkArchitecture } from './check-imports.js';

const repoRoot = projectRoot();

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'swarmts-arch-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

test('the project source obeys the architecture rules', () => {
  const violations = checkArchitecture(join(repoRoot, 'src'));
  assert.equal(violations.map((v) => `${v.file}: ${v.message}`), []);
});

test('a pure folder using the wall clock, timers or I/O is reported, also through core', () => {
  const dir = tree({
    'raft/node.ts': "import { x } from '../core/util.js';\nexport const t = Date.now() + x;\nsetTimeout(() => {}, 1);\n",
    'core/util.ts': "import { readFileSync } from 'node:fs';\nexport const x = Math.random();\n",
  });
  try {
    const messages = checkArchitecture(dir).map((v) => `${v.file}: ${v.message}`);
    assert.ok(messages.some((m) => m.startsWith('raft/node.ts') && m.includes('Date at line 2')), messages.join('\n'));
    assert.ok(messages.some((m) => m.includes('setTimeout at line 3')));
    assert.ok(messages.some((m) => m.startsWith('core/util.ts') && m.includes('"node:fs"')));
    assert.ok(messages.some((m) => m.startsWith('core/util.ts') && m.includes('Math.random')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('imports against the layering and cycles are reported', () => {
  const dir = tree({
    'raft/log.ts': "import { run } from '../daemon/main.js';\nexport const a = run;\n",
    'daemon/main.ts': "export const run = 1;\n",
    'agent/a.ts': "import { b } from './b.js';\nexport const a = b;\n",
    'agent/b.ts': "import { a } from './a.js';\nexport const b = a;\n",
  });
  try {
    const messages = checkArchitecture(dir).map((v) => `${v.file}: ${v.message}`);
    assert.ok(messages.some((m) => m.includes('raft/ may import only core, not daemon/')), messages.join('\n'));
    assert.ok(messages.some((m) => m.includes('nothing imports daemon/')));
    assert.ok(messages.some((m) => m.includes('import cycle: agent/a.ts -> agent/b.ts -> agent/a.ts')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a property named like a global is not a violation', () => {
  const dir = tree({ 'spec/types.ts': 'export interface T { process: string; Date: number }\nexport const v = { process: 1 };\nexport const w = v.process;\n' });
  try {
    assert.equal(checkArchitecture(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
