/**
 * A scenario as the runner executes it, after `scenario-file.ts` has read and checked the
 * YAML. Hosts are named `h1`..`hN`; every step keeps where it was written (`file:line:col`)
 * so a failure points back at the file.
 */
import { formatMs } from './duration.js';

export const roles = ['worker', 'manager'] as const;
export type Role = (typeof roles)[number];

/** The statuses `node ls` reports (the cluster commands' contract). */
export const memberStatuses = ['ready', 'suspect', 'down', 'left'] as const;
export type MemberStatus = (typeof memberStatuses)[number];

/** What an expectation may ask of one node: a status, or not being listed at all. */
export const expectedStatuses = [...memberStatuses, 'absent'] as const;
export type ExpectedStatus = (typeof expectedStatuses)[number];

/**
 * How `join-expect-failure` spoils a good token: `wrong-key` changes one character of the
 * key part (the host cannot even connect), `wrong-secret` one of the secret part (it
 * connects and is refused), `rotated` uses the token from before `join-token --rotate`.
 */
export const badTokens = ['wrong-key', 'wrong-secret', 'rotated'] as const;
export type BadToken = (typeof badTokens)[number];

/**
 * Who checks an expectation: listed hosts, or `all-running`, every host whose daemon runs
 * and that is in the cluster (initialized or joined, and has not left) at that step.
 */
export type Observers = 'all-running' | string[];

interface StepBase {
  /** `file:line:col` of the step. */
  where: string;
}

export type Step = StepBase &
  (
    | { kind: 'init'; host: string; labels: Record<string, string>; withinMs: number }
    | { kind: 'join'; hosts: string[]; via: string; role: Role; labels: Record<string, string>; withinMs: number }
    | { kind: 'join-expect-failure'; host: string; via: string; role: Role; token: BadToken; withinMs: number }
    | { kind: 'kill' | 'stop' | 'restart'; hosts: string[] }
    | { kind: 'leave'; hosts: string[]; force: boolean; withinMs: number }
    | { kind: 'partition'; groups: string[][] }
    | { kind: 'packet-loss'; hosts: string[]; percent: number }
    | { kind: 'heal' }
    | { kind: 'sleep'; ms: number }
    | { kind: 'expect'; on: Observers; check: Check; withinMs: number; holdMs: number }
  );

/** One node as seen by each observer: its status and, optionally, its role. */
export interface NodeCheck {
  kind: 'node';
  host: string;
  status?: ExpectedStatus;
  role?: Role;
}

/** How many members each observer lists per status; statuses left out must count 0. */
export interface MembersCheck {
  kind: 'members';
  counts: Partial<Record<MemberStatus, number>>;
}

export type Check = NodeCheck | MembersCheck;

export interface Scenario {
  file: string;
  name: string;
  description: string;
  hostCount: number;
  /** Run by `scenarios.test.ts`. */
  ci: boolean;
  /** The whole run, hosts and teardown aside, is abandoned after this. */
  timeoutMs: number;
  steps: Step[];
}

/** The most hosts a scenario may ask for: each is a daemon on this one machine. */
export const hostCountMax = 20;
/** A scenario's hard overall timeout when its file names none. */
export const defaultScenarioTimeoutMs = 300_000;
/** How long init, join and leave may take when a step names no `within`. */
export const defaultCommandWithinMs = 60_000;

/** One line naming a step, as the runner prints it. */
export function describeStep(step: Step): string {
  const labels = (l: Record<string, string>) => Object.entries(l).map(([k, v]) => ` ${k}=${v}`).join('');
  switch (step.kind) {
    case 'init': return `init ${step.host}${labels(step.labels)}`;
    case 'join': return `join ${step.hosts.join(' ')} via ${step.via} as ${step.role}${labels(step.labels)}`;
    case 'join-expect-failure': return `join ${step.host} via ${step.via} as ${step.role} with a ${step.token} token, expecting refusal`;
    case 'kill': case 'stop': case 'restart': return `${step.kind} ${step.hosts.join(' ')}`;
    case 'leave': return `leave ${step.hosts.join(' ')}${step.force ? ' --force' : ''}`;
    case 'partition': return `partition ${step.groups.map((g) => g.join(',')).join(' | ')}`;
    case 'packet-loss': return `packet-loss ${step.percent}% on ${step.hosts.join(' ')}`;
    case 'heal': return 'heal';
    case 'sleep': return `sleep ${formatMs(step.ms)}`;
    case 'expect': return `expect on ${step.on === 'all-running' ? 'all-running' : step.on.join(',')}: ${describeCheck(step.check)}${step.holdMs ? ` for ${step.holdMs / 1000} s` : ''} within ${step.withinMs / 1000} s`;
  }
}

export function describeCheck(check: Check): string {
  if (check.kind === 'members') {
    return `members ${Object.entries(check.counts).map(([s, n]) => `${s}=${n}`).join(' ')}`;
  }
  return [`${check.host}`, check.status, check.role].filter(Boolean).join(' ');
}
