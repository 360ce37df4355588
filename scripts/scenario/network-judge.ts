/**
 * Judging what the network probes saw, as pure functions of their output: the answers of
 * a batch of HTTP requests against the service's running tasks, a busybox `nslookup`
 * answer against the addresses it must list, and connection attempts against whether
 * they must get through. network-steps.ts runs the probes and feeds their output here.
 */
import type { Balance, LookupAnswer } from './scenario-types.js';

/** One request as a probe saw it: `nc`'s exit code and the answer's last line (or nc's error). */
export interface RequestOutcome {
  code: number;
  body: string;
}

/** A running task of the service: its name (what it answers) and its address. */
export interface ExpectedTask {
  name: string;
  address: string;
}

/** One attempt's verdict: `summary` for the step's line, `lines` for a failure report. */
export interface AttemptVerdict {
  pass: boolean;
  summary: string;
  lines: string[];
}


/** The `R <code> <last line>` lines a request probe prints, one per request, in order. */
export function parseRequestLines(output: string): RequestOutcome[] {
  const out: RequestOutcome[] = [];
  for (const line of output.split('\n')) {
    const match = /^R (\d+) ?(.*)$/.exec(line);
    if (match) out.push({ code: Number(match[1]), body: match[2]!.trim() });
  }
  return out;
}

/**
 * Whether a batch of `count` requests was answered by the running tasks `expected` (task
 * names), every request by one of them, and with `round-robin` in turn: the first N
 * (N = the number of tasks) by N different tasks, request i by the same task as i - N.
 */
export function judgeRequests(outcomes: RequestOutcome[], expected: string[], balance: Balance, count: number): AttemptVerdict {
  // The scenario stacks' web tasks serve their own task name (scenarios/stacks/net.yml).
  const names = new Set(expected);
  const lines: string[] = [];
  if (names.size === 0) return { pass: false, summary: 'no running task to answer', lines: ['no task of the service runs on a host whose daemon runs'] };
  if (outcomes.length !== count) lines.push(`${outcomes.length} of ${count} requests reported`);
  outcomes.forEach((o, i) => {
    if (o.code !== 0 || o.body === '') lines.push(`request ${i + 1} failed: exit ${o.code}${o.body ? `: ${o.body}` : ', empty answer'}`);
    else if (!names.has(o.body)) lines.push(`request ${i + 1} answered by ${JSON.stringify(o.body)}, not a running task (${[...names].sort().join(', ')})`);
  });
  const answers = outcomes.map((o) => o.body);
  if (lines.length === 0 && balance === 'round-robin') lines.push(...notInTurn(answers, names));
  const summary = `${tally(answers, names)}${balance === 'round-robin' && lines.length === 0 ? ' in turn' : ''}`;
  return { pass: lines.length === 0, summary, lines: lines.length ? [...lines, `answers in order: ${answers.join(' ')}`] : [] };
}

function notInTurn(answers: string[], names: Set<string>): string[] {
  const n = names.size;
  const first = answers.slice(0, n);
  const problems: string[] = [];
  if (new Set(first).size !== first.length) problems.push(`the first ${first.length} requests were not answered by ${first.length} different tasks`);
  const missing = [...names].filter((name) => !answers.includes(name));
  if (answers.length >= n && missing.length) problems.push(`never answered by ${missing.sort().join(', ')}`);
  const out = answers.findIndex((a, i) => i >= n && a !== answers[i - n]);
  if (out >= 0) problems.push(`request ${out + 1} answered by ${answers[out]}, request ${out + 1 - n} by ${answers[out - n]}: not in turn over ${n} tasks`);
  return problems;
}

/** `net_web.1 ×10, net_web.2 ×10` over the expected names, then anything else seen. */
function tally(answers: string[], names: Set<string>): string {
  const counts = new Map<string, number>([...names].sort().map((n) => [n, 0]));
  for (const a of answers) counts.set(a || '(failed)', (counts.get(a || '(failed)') ?? 0) + 1);
  return [...counts].map(([name, n]) => `${name} ×${n}`).join(', ');
}

/** What a busybox `nslookup -type=a` printed: addresses, NXDOMAIN, or anything else (`error`). */
export type LookupResult =
  | { kind: 'addresses'; addresses: string[] }
  | { kind: 'nxdomain' }
  | { kind: 'error'; text: string };

/**
 * Reads busybox nslookup's output. After the `Server:`/`Address: <ip>:53` header, each
 * answer is `Name:` then `Address: <ip>`; a refusal is `** server can't find NAME: NXDOMAIN`.
 */
export function parseLookup(output: string, exitCode: number): LookupResult {
  if (/server can't find .*: NXDOMAIN/.test(output)) return { kind: 'nxdomain' };
  const addresses = [...output.matchAll(/^Address:\s*(\d{1,3}(?:\.\d{1,3}){3})\s*$/gm)].map((m) => m[1]!);
  if (exitCode === 0) return { kind: 'addresses', addresses };
  const said = output.split('\n').map((l) => l.trim()).filter((l) => l && !/^(Server|Address):/.test(l));
  return { kind: 'error', text: `exit ${exitCode}${said.length ? `: ${said.join(' | ')}` : ''}` };
}

/** Whether a lookup answered as it must: exactly `addresses` (for vip or tasks), or NXDOMAIN. */
export function judgeLookup(result: LookupResult, answer: LookupAnswer, addresses: string[]): AttemptVerdict {
  const seen = result.kind === 'addresses' ? (result.addresses.length ? [...result.addresses].sort(byAddress).join(' ') : 'no address')
    : result.kind === 'nxdomain' ? 'NXDOMAIN' : result.text;
  if (answer === 'nxdomain') {
    return result.kind === 'nxdomain' ? { pass: true, summary: 'NXDOMAIN', lines: [] } : { pass: false, summary: seen, lines: [`expected NXDOMAIN, got ${seen}`] };
  }
  const want = [...addresses].sort(byAddress);
  if (want.length === 0) return { pass: false, summary: seen, lines: [`nothing to compare with: the service has no ${answer === 'vip' ? 'VIP' : 'running task with an address'}`] };
  const pass = result.kind === 'addresses' && result.addresses.length === want.length && [...result.addresses].sort(byAddress).join(' ') === want.join(' ');
  return pass ? { pass, summary: seen, lines: [] } : { pass, summary: seen, lines: [`expected ${want.join(' ')}, got ${seen}`] };
}

/** Sorts dotted quads numerically. */
export function byAddress(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/** One connection attempt to `address`: `R <address> <code> <last line>`. */
export interface ReachOutcome extends RequestOutcome {
  address: string;
}

export function parseReachLines(output: string): ReachOutcome[] {
  const out: ReachOutcome[] = [];
  for (const line of output.split('\n')) {
    const match = /^R (\S+) (\d+) ?(.*)$/.exec(line);
    if (match) out.push({ address: match[1]!, code: Number(match[2]), body: match[3]!.trim() });
  }
  return out;
}

/**
 * Whether every target answered (`reachable`: a task address with that task's name, the VIP
 * with any running task's) or none did (`unreachable`: every attempt failed or got nothing).
 * `targets` maps each address to the answers it may give.
 */
export function judgeReach(outcomes: ReachOutcome[], targets: Map<string, string[]>, reachable: boolean): AttemptVerdict {
  const lines: string[] = [];
  if (targets.size === 0) return { pass: false, summary: 'nothing to connect to', lines: ['the service has no running task address and no VIP'] };
  const seen: string[] = [];
  for (const [address, answers] of targets) {
    const o = outcomes.find((x) => x.address === address);
    const got = !o ? 'no result' : o.code === 0 && o.body !== '' ? `answered ${o.body}` : `failed (exit ${o.code}${o.body ? `: ${o.body}` : ''})`;
    seen.push(`${address} ${got}`);
    const through = !!o && o.code === 0 && o.body !== '';
    if (!o) lines.push(`${address}: the probe reported nothing`);
    else if (reachable && !through) lines.push(`${address}: expected an answer, ${got}`);
    else if (reachable && !answers.includes(o.body)) lines.push(`${address}: answered ${JSON.stringify(o.body)}, expected ${answers.join(' or ')}`);
    else if (!reachable && through) lines.push(`${address}: expected no connection, but it ${got}`);
  }
  return { pass: lines.length === 0, summary: seen.join(', '), lines };
}
