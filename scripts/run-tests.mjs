#!/usr/bin/env node
// The test command: builds the TypeScript, runs every compiled *.test.js file in its own
// process (a crash in one file cannot hide another's results), and ends with the line
// `N passed, N failed`. Arguments are substrings that select test files by path.
//   SWARMTS_TEST_JOBS      files run at once (default 2, the machine's cores)
//   SWARMTS_TEST_TIMEOUT_S a file still running after this is killed and counted failed (default 1200:
//                          the CI scenarios run one after another in one file, about 12 minutes)
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const jobs = Number(process.env.SWARMTS_TEST_JOBS ?? 2);
const timeoutMs = Number(process.env.SWARMTS_TEST_TIMEOUT_S ?? 1200) * 1000;
const filters = process.argv.slice(2);

const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  console.log('\nthe TypeScript build failed: no test ran');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

function findTests(dir) {
  let found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found = found.concat(findTests(path));
    else if (name.endsWith('.test.js')) found.push(path);
  }
  return found;
}

const files = ['src', 'scripts']
  .map((d) => join(root, 'dist', d))
  .filter((d) => { try { return statSync(d).isDirectory(); } catch { return false; } })
  .flatMap(findTests)
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();

// uvu's own summary, printed when each file's suite finishes.
function countsFrom(output) {
  const clean = output.replace(/\x1b\[[0-9;]*m/g, '');
  const sum = (label) => [...clean.matchAll(new RegExp(`^\\s*${label}:\\s+(\\d+)`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);
  return { total: sum('Total'), passed: sum('Passed'), skipped: sum('Skipped') };
}

function runFile(file) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--enable-source-maps', file], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const counts = countsFrom(output);
      let failed = counts.total - counts.passed - counts.skipped;
      if ((code !== 0 || timedOut) && failed === 0) failed = 1;
      if (counts.total === 0 && failed === 0) failed = 1; // a file that ran no test is a defect
      resolve({ file, code, signal, timedOut, output, passed: counts.passed, failed, skipped: counts.skipped, ms: Date.now() - started });
    });
  });
}

const results = [];
let next = 0;
async function worker() {
  while (next < files.length) {
    const file = files[next++];
    const result = await runFile(file);
    results.push(result);
    const name = relative(join(root, 'dist'), file);
    const status = result.failed > 0 ? 'FAIL' : 'ok  ';
    console.log(`${status} ${name}  ${result.passed} passed${result.failed ? `, ${result.failed} failed` : ''}  (${(result.ms / 1000).toFixed(1)} s)`);
    if (result.failed > 0) {
      if (result.timedOut) console.log(`     killed after ${timeoutMs / 1000} s`);
      console.log(result.output.split('\n').map((l) => '     | ' + l).join('\n'));
    }
  }
}
await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));

const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
const skipped = results.reduce((n, r) => n + r.skipped, 0);
if (files.length === 0) console.log('no test file matched');
console.log(`${passed} passed, ${failed + (files.length === 0 ? 1 : 0)} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || files.length === 0 ? 1 : 0);
