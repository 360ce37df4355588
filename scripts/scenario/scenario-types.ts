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

/**
 * A host as a step may name it: `h3`, or one resolved when the step runs. `leader` is the
 * host every running member agrees leads raft; `follower` the first running member (in
 * host order) that does not; `$killed` the host the latest kill or stop took down.
 */
export type HostRef = string;
export const hostSelectors = ['leader', 'follower'] as const;
export const killedRef = '$killed';

/** What `node update --availability` sets. */
export const availabilities = ['active', 'pause', 'drain'] as const;
export type Availability = (typeof availabilities)[number];

/** Images the runner knows how to build: `busybox` by scripts/build-busybox-image.sh. */
export const imageBuilders = ['busybox'] as const;
export type ImageBuilder = (typeof imageBuilders)[number];

/** One service of a stack file, as read when the scenario is loaded. */
export interface StackService {
  /** `${stack}_${name}`. */
  fullName: string;
  mode: 'replicated' | 'global';
  /** 0 for a global service. */
  replicas: number;
}

interface StepBase {
  /** `file:line:col` of the step. */
  where: string;
}

export type Step = StepBase &
  (
    | { kind: 'init'; host: string; labels: Record<string, string>; withinMs: number }
    | { kind: 'join'; hosts: string[]; via: string; role: Role; labels: Record<string, string>; withinMs: number }
    | { kind: 'join-expect-failure'; host: string; via: string; role: Role; token: BadToken; withinMs: number }
    | { kind: 'kill' | 'crash' | 'stop' | 'restart'; hosts: HostRef[] }
    | { kind: 'leave'; hosts: string[]; force: boolean; withinMs: number }
    | { kind: 'partition'; groups: string[][] }
    | { kind: 'packet-loss'; hosts: string[]; percent: number }
    | { kind: 'heal' }
    | { kind: 'sleep'; ms: number }
    | { kind: 'expect'; on: Observers; check: Check; withinMs: number; holdMs: number }
    | { kind: 'import-image'; reference: string; source: { build: ImageBuilder } | { file: string }; on: 'all' | string[]; withinMs: number }
    | { kind: 'deploy'; on: HostRef; stack: string; file: string; services: StackService[]; withinMs: number }
    | { kind: 'stack-rm'; on: HostRef; stack: string; withinMs: number }
    | { kind: 'scale'; on: HostRef; service: string; replicas: number; detach: boolean; withinMs: number }
    | { kind: 'node-update'; on: HostRef; node: HostRef; availability: Availability; withinMs: number }
    | { kind: 'node-role'; on: HostRef; node: HostRef; role: Role; withinMs: number }
    | { kind: 'record'; on: HostRef; service: string; as: string; withinMs: number }
    | NetworkStep
  );

/**
 * A container a network step runs its probe in: a running container of service `from`
 * (full name) on host `on`, found when the step runs.
 */
export interface ProbeContainer {
  on: HostRef;
  from: string;
}

/**
 * How the answers of a `requests` attempt must spread over the service's tasks:
 * `round-robin` every task in turn (request i answered by the same task as request i+N,
 * the first N by N different tasks), `any` only that every request is answered by one.
 */
export const balances = ['round-robin', 'any'] as const;
export type Balance = (typeof balances)[number];

/** What a `lookup` must answer: the service's VIP, its running tasks' addresses, or NXDOMAIN. */
export const lookupAnswers = ['vip', 'tasks', 'nxdomain'] as const;
export type LookupAnswer = (typeof lookupAnswers)[number];

/**
 * Where `requests` go: to a name or address from inside a container, or from the runner's
 * own namespace to each listed host's address (a published port: the routing mesh).
 */
export type RequestTarget =
  | ({ kind: 'container'; to: string } & ProbeContainer)
  | { kind: 'hosts'; hosts: Observers };

/**
 * The service networking steps (network-steps.ts). Each is retried until it holds or
 * `within` passes, and with `for` must then keep holding that long, like `expect`.
 * `service` names whose running tasks (on hosts whose daemon runs) must answer; with
 * `running`, an attempt only counts once exactly that many run (a scale-up is not judged
 * against the tasks that ran before it).
 */
export type NetworkStep =
  | { kind: 'requests'; target: RequestTarget; port: number; count: number; service: string; running: number | undefined; balance: Balance; withinMs: number; holdMs: number }
  | ({ kind: 'lookup'; name: string; service: string | undefined; running: number | undefined; answer: LookupAnswer; withinMs: number; holdMs: number } & ProbeContainer)
  | ({ kind: 'reachable' | 'unreachable'; service: string; port: number; withinMs: number; holdMs: number } & ProbeContainer);

/** One node as seen by each observer: its status and, optionally, its role. */
export interface NodeCheck {
  kind: 'node';
  host: string;
  status?: ExpectedStatus;
  role?: Role;
  availability?: Availability;
}

/** How many members each observer lists per status; statuses left out must count 0. */
export interface MembersCheck {
  kind: 'members';
  counts: Partial<Record<MemberStatus, number>>;
}

/**
 * A service's running tasks (state and desired state running) as each observer lists them,
 * checked against the containers that really run on every running member.
 */
export interface ServiceCheck {
  kind: 'service';
  service: string;
  /** Exact count of running tasks; the sum of `spread` when the file gives only that. */
  running: number;
  /** Exact running tasks per host; hosts left out must run none. */
  spread?: Record<string, number>;
  /** Hosts that must run none of its tasks. */
  notOn: HostRef[];
}

/** Every observer names the same leader, a running host; `host` when a given one must lead. */
export interface LeaderCheck {
  kind: 'leader';
  host?: HostRef;
}

/** The containers a `record` step saw still run, the same ids, and their tasks with them. */
export interface UnchangedCheck {
  kind: 'unchanged';
  record: string;
}

export type Check = NodeCheck | MembersCheck | ServiceCheck | LeaderCheck | UnchangedCheck;

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
    case 'kill': case 'crash': case 'stop': case 'restart': return `${step.kind} ${step.hosts.join(' ')}`;
    case 'leave': return `leave ${step.hosts.join(' ')}${step.force ? ' --force' : ''}`;
    case 'partition': return `partition ${step.groups.map((g) => g.join(',')).join(' | ')}`;
    case 'packet-loss': return `packet-loss ${step.percent}% on ${step.hosts.join(' ')}`;
    case 'heal': return 'heal';
    case 'sleep': return `sleep ${formatMs(step.ms)}`;
    case 'expect': return `expect on ${step.on === 'all-running' ? 'all-running' : step.on.join(',')}: ${describeCheck(step.check)}${step.holdMs ? ` for ${step.holdMs / 1000} s` : ''} within ${step.withinMs / 1000} s`;
    case 'import-image': return `import-image ${step.reference} (${'build' in step.source ? `built ${step.source.build}` : step.source.file}) on ${step.on === 'all' ? 'all' : step.on.join(' ')}`;
    case 'deploy': return `deploy stack ${step.stack} on ${step.on}`;
    case 'stack-rm': return `stack rm ${step.stack} on ${step.on}`;
    case 'scale': return `scale ${step.detach ? '--detach ' : ''}${step.service}=${step.replicas} on ${step.on}`;
    case 'node-update': return `node update ${step.node} --availability ${step.availability} on ${step.on}`;
    case 'node-role': return `node ${step.role === 'manager' ? 'promote' : 'demote'} ${step.node} on ${step.on}`;
    case 'record': return `record the containers of ${step.service} on ${step.on} as ${step.as}`;
    case 'requests':
    case 'lookup':
    case 'reachable':
    case 'unreachable':
      return `${describeNetworkStep(step)}${step.holdMs ? ` for ${formatMs(step.holdMs)}` : ''} within ${formatMs(step.withinMs)}`;
  }
}

function describeNetworkStep(step: NetworkStep): string {
  const from = (c: ProbeContainer) => `from ${c.from} on ${c.on}`;
  switch (step.kind) {
    case 'requests': {
      const t = step.target;
      const where = t.kind === 'container' ? `to ${t.to}:${step.port} ${from(t)}` : `to port ${step.port} of ${t.hosts === 'all-running' ? 'every running host' : t.hosts.join(' ')} from the runner`;
      const tasks = `${step.running === undefined ? 'the' : step.running} ${step.service} task${step.running === 1 ? '' : 's'}`;
      return `${step.count} requests ${where}, ${step.balance === 'any' ? `each answered by one of ${step.running === undefined ? '' : 'the '}${tasks}` : `round-robin over ${tasks}`}`;
    }
    case 'lookup': return `lookup ${step.name} ${from(step)}: ${step.answer === 'nxdomain' ? 'NXDOMAIN' : `${step.service} ${step.answer === 'vip' ? 'VIP' : step.running === undefined ? 'task addresses' : `${step.running} task address${step.running === 1 ? '' : 'es'}`}`}`;
    case 'reachable': case 'unreachable': return `${step.service} port ${step.port} ${step.kind} ${from(step)}`;
  }
}

export function describeCheck(check: Check): string {
  if (check.kind === 'members') {
    return `members ${Object.entries(check.counts).map(([s, n]) => `${s}=${n}`).join(' ')}`;
  }
  switch (check.kind) {
    case 'node': return [`${check.host}`, check.status, check.role, check.availability].filter(Boolean).join(' ');
    case 'service': {
      const spread = check.spread ? ` spread ${Object.entries(check.spread).map(([h, n]) => `${h}=${n}`).join(' ')}` : '';
      return `${check.service} running=${check.running}${spread}${check.notOn.length ? ` not on ${check.notOn.join(',')}` : ''}`;
    }
    case 'leader': return check.host ? `leader is ${check.host}` : 'one leader elected';
    case 'unchanged': return `containers recorded as ${check.record} unchanged`;
  }
}
