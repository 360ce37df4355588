/**
 * The checks a scenario needs beyond its shape, made by walking its steps in order the way
 * the runner will: joining through a host that is not a member, killing a host that is not
 * running, asking a host that has left what it sees, scaling a service no stack defines,
 * comparing with a record never made, and so on.
 *
 * `leader` and `follower` are only known when the step runs. Killing one leaves every host
 * it could have been "maybe stopped": such a host can then only be named as `$killed`
 * (until `restart: $killed` brings it back), or reached through `all-running`.
 */
import { killedRef, type Scenario, type StackService, type Step } from './scenario-types.js';

interface HostState {
  running: boolean;
  member: boolean;
  /** Set while this host may be the one a `kill: leader` (at that step) took down. */
  maybeKilledAt?: string;
  /** The step that last changed this host, for messages. */
  changedBy: string;
}

/** What `$killed` names at this point: a known host, or one of several. */
type Killed = { host: string } | { candidates: string[]; at: string; running: boolean };

interface ServiceState extends StackService {
  deployedAt: string;
  removedAt?: string;
}

interface Walk {
  say(message: string): void;
  hosts: Map<string, HostState>;
  change(host: string, to: Partial<HostState>): void;
  killed: Killed | undefined;
  services: Map<string, ServiceState>;
  records: Set<string>;
  initializedAt: string | undefined;
  where: string;
}

/** Every problem with the order of `scenario`'s steps, as `file:line:col steps[i]: ...`. */
export function checkStepOrder(scenario: Scenario): string[] {
  const problems: string[] = [];
  const hosts = new Map<string, HostState>();
  for (let i = 1; i <= scenario.hostCount; i++) hosts.set(`h${i}`, { running: true, member: false, changedBy: 'the start' });
  const walk: Walk = {
    say: () => {}, hosts, killed: undefined, services: new Map(), records: new Set(), initializedAt: undefined, where: '',
    change: (h, to) => Object.assign(hosts.get(h)!, to, { changedBy: `${walk.where}` }),
  };
  scenario.steps.forEach((step, i) => {
    walk.say = (message: string) => problems.push(`${step.where} steps[${i}]: ${message}`);
    walk.where = `${step.kind} at ${step.where}`;
    applyStep(step, walk);
  });
  return problems;
}

function applyStep(step: Step, w: Walk): void {
  switch (step.kind) {
    case 'init':
      if (w.initializedAt) w.say(`a cluster was already initialized at ${w.initializedAt}; a scenario has one cluster`);
      w.initializedAt = step.where;
      mustBe(w, step.host, true, false, 'host');
      w.change(step.host, { member: true });
      return;
    case 'join':
    case 'join-expect-failure': {
      mustBe(w, step.via, true, true, 'via');
      const joining = step.kind === 'join' ? step.hosts : [step.host];
      for (const h of joining) {
        if (h === step.via) w.say(`${h} cannot join through itself`);
        else mustBe(w, h, true, false, 'host');
        if (step.kind === 'join') w.change(h, { member: true });
      }
      return;
    }
    case 'kill':
    case 'crash':
    case 'stop':
      for (const ref of step.hosts) takeDown(w, ref);
      return;
    case 'restart':
      for (const ref of step.hosts) bringUp(w, ref);
      return;
    case 'leave':
      for (const h of step.hosts) mustBe(w, h, true, true, 'host');
      for (const h of step.hosts) w.change(h, { member: false });
      return;
    case 'expect':
      if (step.on === 'all-running') {
        if (![...w.hosts.values()].some((s) => s.running && s.member)) w.say('all-running names nobody here: no host is running and in the cluster');
      } else {
        for (const h of step.on) mustBe(w, h, true, true, 'observer');
      }
      checkExpectation(step.check, w);
      return;
    case 'import-image':
      if (step.on !== 'all') for (const h of step.on) mustBe(w, h, true, undefined, 'host');
      return;
    case 'deploy':
      mustBe(w, step.on, true, true, 'on');
      for (const s of step.services) w.services.set(s.fullName, { ...s, deployedAt: step.where });
      return;
    case 'stack-rm': {
      mustBe(w, step.on, true, true, 'on');
      const live = [...w.services.values()].filter((s) => s.fullName.startsWith(`${step.stack}_`) && !s.removedAt);
      if (live.length === 0) w.say(`no stack ${step.stack} is deployed at this step`);
      for (const s of live) s.removedAt = step.where;
      return;
    }
    case 'scale': {
      mustBe(w, step.on, true, true, 'on');
      const s = liveService(w, step.service);
      if (s?.mode === 'global') w.say(`${step.service} is a global service (deployed at ${s.deployedAt}): it cannot be scaled`);
      else if (s) s.replicas = step.replicas;
      return;
    }
    case 'node-update':
    case 'node-role':
      mustBe(w, step.on, true, true, 'on');
      mustBe(w, step.node, undefined, true, 'node');
      return;
    case 'record':
      mustBe(w, step.on, true, true, 'on');
      liveService(w, step.service);
      w.records.add(step.as);
      return;
    case 'requests':
    case 'lookup':
    case 'reachable':
    case 'unreachable':
      checkNetworkStep(step, w);
      return;
    case 'partition':
    case 'packet-loss':
    case 'heal':
    case 'sleep':
      return;
  }
}

/** The probe's container host runs and is a member; the services it names are deployed. */
function checkNetworkStep(step: Extract<Step, { kind: 'requests' | 'lookup' | 'reachable' | 'unreachable' }>, w: Walk): void {
  const container = step.kind === 'requests' ? (step.target.kind === 'container' ? step.target : undefined) : step;
  if (container) {
    mustBe(w, container.on, true, true, 'on');
    liveService(w, container.from);
  } else if (step.kind === 'requests' && step.target.kind === 'hosts') {
    const hosts = step.target.hosts;
    if (hosts === 'all-running') {
      if (![...w.hosts.values()].some((s) => s.running && s.member)) w.say('to-hosts all-running names nobody here: no host is running and in the cluster');
    } else {
      for (const h of hosts) mustBe(w, h, true, true, 'to-hosts');
    }
  }
  if (step.service) liveService(w, step.service);
}

function checkExpectation(check: Extract<Step, { kind: 'expect' }>['check'], w: Walk): void {
  switch (check.kind) {
    case 'service': {
      const s = w.services.get(check.service);
      if (!s) {
        w.say(`no stack deployed before this step defines ${check.service}${knownServices(w)}`);
        return;
      }
      if (!s.removedAt && s.mode === 'replicated' && check.running > s.replicas) w.say(`${check.service} runs ${s.replicas} replicas here (since ${s.deployedAt}); ${check.running} running can never hold`);
      if (s.removedAt && check.running > 0) w.say(`${check.service} was removed at ${s.removedAt}; only running: 0 can hold`);
      for (const h of check.notOn) resolve(w, h, 'not-on');
      return;
    }
    case 'leader':
      if (check.host) mustBe(w, check.host, true, true, 'leader');
      return;
    case 'unchanged':
      if (!w.records.has(check.record)) w.say(`nothing was recorded as ${check.record} before this step${w.records.size ? ` (recorded: ${[...w.records].join(', ')})` : ''}`);
      return;
    case 'node':
    case 'members':
      return;
  }
}

function liveService(w: Walk, name: string): ServiceState | undefined {
  const s = w.services.get(name);
  if (!s || s.removedAt) w.say(s ? `${name} was removed at ${s.removedAt}` : `no stack deployed before this step defines ${name}${knownServices(w)}`);
  return s && !s.removedAt ? s : undefined;
}

function knownServices(w: Walk): string {
  return w.services.size ? ` (deployed: ${[...w.services.keys()].join(', ')})` : '';
}

/** A host reference as the walk knows it, or undefined after saying why it names nobody. */
function resolve(w: Walk, ref: string, role: string): { host: string } | { candidates: string[] } | undefined {
  if (ref === killedRef) {
    if (!w.killed) w.say(`${role} ${killedRef} names nobody: no host was killed or stopped before this step`);
    return w.killed;
  }
  if (ref === 'leader' || ref === 'follower') {
    // One of the "maybe stopped" hosts is stopped; the others run and may lead.
    const candidates = [...w.hosts.entries()].filter(([, s]) => s.running && s.member).map(([h]) => h);
    const live = candidates.length - (w.killed && 'candidates' in w.killed && !w.killed.running ? 1 : 0);
    if (live < (ref === 'follower' ? 2 : 1)) w.say(`${role} ${ref} names nobody: ${live} host${live === 1 ? ' is' : 's are'} running and in the cluster`);
    return { candidates };
  }
  return { host: ref };
}

/** Checks a host reference is running (or stopped) and in (or out of) the cluster; undefined skips that part. */
function mustBe(w: Walk, ref: string, running: boolean | undefined, member: boolean | undefined, role: string): void {
  const target = resolve(w, ref, role);
  if (target) checkState(w, ref, target, running, member, role);
}

function checkState(w: Walk, ref: string, target: { host: string } | { candidates: string[] }, running: boolean | undefined, member: boolean | undefined, role: string): void {
  if ('candidates' in target) {
    const killed = ref === killedRef ? (w.killed as Extract<Killed, { candidates: string[] }>) : undefined;
    if (killed && running !== undefined && killed.running !== running) w.say(`${role} ${ref} must ${running ? 'be running' : 'be stopped'}, but it ${killed.running ? 'runs' : `is stopped (since ${killed.at})`}`);
    return;
  }
  const s = w.hosts.get(target.host)!;
  const name = ref === target.host ? ref : `${ref} (${target.host})`;
  if (s.maybeKilledAt) w.say(`${role} ${name} may be stopped: it may be the leader killed at ${s.maybeKilledAt}; name it ${killedRef}, or observe with all-running`);
  else if (running !== undefined && s.running !== running) w.say(`${role} ${name} must ${running ? 'be running' : 'be stopped (kill or stop it first)'}, but ${describe(target.host, s)}`);
  else if (member !== undefined && s.member !== member) w.say(`${role} ${name} must ${member ? 'be in the cluster' : 'be outside the cluster'}, but ${describe(target.host, s)}`);
}

function takeDown(w: Walk, ref: string): void {
  const target = resolve(w, ref, 'host');
  if (!target) return;
  checkState(w, ref, target, true, undefined, 'host');
  if ('host' in target) {
    w.change(target.host, { running: false });
    w.killed = { host: target.host };
    return;
  }
  for (const h of target.candidates) w.change(h, { maybeKilledAt: w.where.replace(/^\S+ at /, '') });
  w.killed = { candidates: target.candidates, at: w.where, running: false };
}

function bringUp(w: Walk, ref: string): void {
  const target = resolve(w, ref, 'host');
  if (!target) return;
  checkState(w, ref, target, false, undefined, 'host');
  if ('host' in target) {
    w.change(target.host, { running: true });
    return;
  }
  for (const h of target.candidates) w.change(h, { maybeKilledAt: undefined });
  if (w.killed && 'candidates' in w.killed) w.killed = { ...w.killed, running: true };
}

function describe(host: string, s: HostState): string {
  const what = !s.running ? 'is stopped' : s.member ? 'is in the cluster' : 'is outside the cluster';
  return `${host} ${what} (since ${s.changedBy})`;
}
