import { mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { followLines, parseCriLine, readAllLines } from './container-log.js';

test('CRI records parse, and non-records are ignored without throwing', () => {
  assert.equal(parseCriLine('2026-11-28T23:45:59.123456789Z stdout F hello world'), { time: '2026-11-28T23:45:59.123456789Z', stream: 'stdout', partial: false, text: 'hello world' });
  assert.equal(parseCriLine('2026-11-28T23:45:59Z stderr P part'), { time: '2026-11-28T23:45:59Z', stream: 'stderr', partial: true, text: 'part' });
  assert.equal(parseCriLine('2026-11-28T23:45:59Z stdout F'), { time: '2026-11-28T23:45:59Z', stream: 'stdout', partial: false, text: '' });
  for (const bad of ['', 'garbage', 't stdin F x', 't stdout X x', 'nospace']) assert.is(parseCriLine(bad), undefined, bad);
});

test('rotated files are read oldest first and partial records are joined per stream', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'swarmts-log-'));
  try {
    const log = join(dir, 'container.log');
    writeFileSync(log + '.2', 't1 stdout F one\n');
    writeFileSync(log + '.1', 't2 stdout P tw\nt3 stderr F err\n');
    writeFileSync(log, 't4 stdout F o\nt5 stdout F three\nt6 stdout F incomplete-without-newline');
    const { lines } = await readAllLines(log);
    assert.equal(lines.map((l) => `${l.stream}:${l.text}`), ['stdout:one', 'stderr:err', 'stdout:two', 'stdout:three']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('following yields lines appended later and stops once the writer is done', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'swarmts-log-'));
  try {
    const log = join(dir, 'container.log');
    writeFileSync(log, 't1 stdout F first\n');
    const start = await readAllLines(log);
    let finished = false;
    const seen: string[] = [];
    const following = (async () => {
      for await (const line of followLines(log, start.endOffset, start.assembler, () => finished, undefined, 5)) seen.push(line.text);
    })();
    appendFileSync(log, 't2 stdout F second\n');
    await new Promise((r) => setTimeout(r, 30));
    appendFileSync(log, 't3 stdout F third\n');
    finished = true;
    await following;
    assert.equal(seen, ['second', 'third']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
