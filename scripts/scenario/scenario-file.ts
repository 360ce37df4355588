/**
 * Reads and checks a scenario file (`scenarios/*.yml`). Nothing runs until a file is
 * entirely right; when it is not, every problem is reported at once, each as
 * `file:line:col path: what was expected, got what was found`.
 *
 *   name: membership-join          # lowercase words and dashes
 *   description: five hosts join through h1
 *   hosts: 5                       # h1..h5, 1 to hostCountMax
 *   ci: true                       # run by scenarios.test.ts
 *   timeout: 240s                  # optional hard limit for the whole run
 *   steps:
 *     - init: h1
 *     - join: [h2, h3, h4, h5]
 *       via: h1
 *       as: worker
 *     - expect: {on: all-running, members: {ready: 5}}
 *       within: 60s
 */
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LineCounter, parseDocument, type Node } from 'yaml';
import { checkStepOrder } from './scenario-check.js';
import { defaultScenarioTimeoutMs, hostCountMax, type Scenario, type Step } from './scenario-types.js';
import { readStep } from './step-parsers.js';
import { checkKeys, join, readBool, readDurationMs, readInt, readList, readMap, readString, Problems, type Entry } from './yaml-reader.js';

export type LoadResult = { ok: true; scenario: Scenario } | { ok: false; problems: string[] };

const topKeys = ['name', 'description', 'hosts', 'ci', 'timeout', 'steps'] as const;

/** Reads a scenario file; an unreadable file is one problem like any other. */
export async function loadScenarioFile(path: string): Promise<LoadResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    return { ok: false, problems: [`${path}: cannot read: ${(err as Error).message}`] };
  }
  return parseScenario(text, path);
}

/** Parses and checks a scenario's text; `file` names it in problems. */
export function parseScenario(text: string, file: string): LoadResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const problems = new Problems(file, lines);
  for (const err of doc.errors) {
    const { line, col } = lines.linePos(err.pos[0]);
    problems.list.push(`${file}:${line}:${col} ${err.message.split('\n')[0]}`);
  }
  if (doc.errors.length > 0) return { ok: false, problems: problems.list };
  const list = readMap(doc.contents as Node | null, '(top level)', problems);
  if (!list) return { ok: false, problems: problems.list };
  checkKeys(list, topKeys, '', problems);
  const get = (key: (typeof topKeys)[number], expected: string): Entry | undefined => {
    const entry = list.find((e) => e.key === key);
    if (!entry) problems.add(doc.contents as Node, key, `missing; expected ${expected}`);
    return entry;
  };
  const nameEntry = get('name', 'the scenario name');
  const name = nameEntry && readName(nameEntry, problems);
  const descriptionEntry = get('description', 'one sentence saying what the scenario shows');
  const description = descriptionEntry && readString(descriptionEntry.value, 'description', problems);
  const hostsEntry = get('hosts', `the number of hosts, 1 to ${hostCountMax}`);
  const hostCount = hostsEntry && readInt(hostsEntry.value, 'hosts', 1, hostCountMax, problems);
  const ciEntry = get('ci', 'true or false: whether scenarios.test.ts runs it');
  const ci = ciEntry && readBool(ciEntry.value, 'ci', problems);
  const timeoutEntry = list.find((e) => e.key === 'timeout');
  const timeoutMs = timeoutEntry ? readDurationMs(timeoutEntry.value, 'timeout', problems) : defaultScenarioTimeoutMs;
  const stepsEntry = get('steps', 'a list of steps');
  const steps = stepsEntry && readSteps(stepsEntry, hostCount, problems);
  if (problems.list.length > 0 || !name || !description || !hostCount || ci === undefined || !timeoutMs || !steps) {
    return { ok: false, problems: problems.list };
  }
  const scenario: Scenario = { file, name, description, hostCount, ci, timeoutMs, steps };
  const orderProblems = checkStepOrder(scenario);
  return orderProblems.length > 0 ? { ok: false, problems: orderProblems } : { ok: true, scenario };
}

function readName(entry: Entry, problems: Problems): string | undefined {
  const name = readString(entry.value, 'name', problems);
  if (name === undefined || /^[a-z0-9][a-z0-9-]*$/.test(name)) return name;
  problems.add(entry.value, 'name', `expected lowercase letters, digits and dashes, got ${JSON.stringify(name)}`);
  return undefined;
}

function readSteps(entry: Entry, hostCount: number | undefined, problems: Problems): Step[] | undefined {
  const items = readList(entry.value, 'steps', problems);
  if (!items) return undefined;
  if (items.length === 0) problems.add(entry.value, 'steps', 'expected at least one step, got an empty list');
  const steps = items.map((item, i) => readStep(item, join('steps', i), { problems, hostCount, baseDir: dirname(problems.file) }));
  return steps.every(Boolean) ? (steps as Step[]) : undefined;
}
