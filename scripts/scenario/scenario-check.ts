/**
 * The checks a scenario needs beyond its shape, made by walking its steps in order the way
 * the runner will: joining through a host that is not a member, killing a host that is not
 * running, asking a host that has left what it sees, and so on.
 */
import type { Scenario, Step } from './scenario-types.js';

interface HostState {
  running: boolean;
  member: boolean;
  /** The step that last changed this host, for messages. */
  changedBy: string;
}

/** Every problem with the order of `scenario`'s steps, as `file:line:col steps[i]: ...`. */
export function checkStepOrder(scenario: Scenario): string[] {
  const problems: string[] = [];
  const hosts = new Map<string, HostState>();
  for (let i = 1; i <= scenario.hostCount; i++) hosts.set(`h${i}`, { running: true, member: false, changedBy: 'the start' });
  let initializedAt: string | undefined;
  scenario.steps.forEach((step, i) => {
    const say = (message: string) => problems.push(`${step.where} steps[${i}]: ${message}`);
    const state = (h: string) => hosts.get(h)!;
    const mustBe = (h: string, running: boolean, member: boolean | undefined, role: string) => {
      const s = state(h);
      if (s.running !== running) say(`${role} ${h} must ${running ? 'be running' : 'be stopped (kill or stop it first)'}, but ${describe(h, s)}`);
      else if (member !== undefined && s.member !== member) say(`${role} ${h} must ${member ? 'be in the cluster' : 'be outside the cluster'}, but ${describe(h, s)}`);
    };
    const change = (h: string, to: Partial<HostState>) => Object.assign(state(h), to, { changedBy: `${step.kind} at ${step.where}` });
    applyStep(step, { say, mustBe, change, state }, () => {
      if (initializedAt) say(`a cluster was already initialized at ${initializedAt}; a scenario has one cluster`);
      initializedAt = step.where;
    }, hosts);
  });
  return problems;
}

interface Walk {
  say(message: string): void;
  mustBe(host: string, running: boolean, member: boolean | undefined, role: string): void;
  change(host: string, to: Partial<HostState>): void;
  state(host: string): HostState;
}

function applyStep(step: Step, w: Walk, onInit: () => void, hosts: Map<string, HostState>): void {
  switch (step.kind) {
    case 'init':
      onInit();
      w.mustBe(step.host, true, false, 'host');
      w.change(step.host, { member: true });
      return;
    case 'join':
    case 'join-expect-failure': {
      w.mustBe(step.via, true, true, 'via');
      const joining = step.kind === 'join' ? step.hosts : [step.host];
      for (const h of joining) {
        if (h === step.via) w.say(`${h} cannot join through itself`);
        else w.mustBe(h, true, false, 'host');
        if (step.kind === 'join') w.change(h, { member: true });
      }
      return;
    }
    case 'kill':
    case 'stop':
      for (const h of step.hosts) w.mustBe(h, true, undefined, 'host');
      for (const h of step.hosts) w.change(h, { running: false });
      return;
    case 'restart':
      for (const h of step.hosts) w.mustBe(h, false, undefined, 'host');
      for (const h of step.hosts) w.change(h, { running: true });
      return;
    case 'leave':
      for (const h of step.hosts) w.mustBe(h, true, true, 'host');
      for (const h of step.hosts) w.change(h, { member: false });
      return;
    case 'expect':
      if (step.on === 'all-running') {
        if (![...hosts.values()].some((s) => s.running && s.member)) w.say('all-running names nobody here: no host is running and in the cluster');
      } else {
        for (const h of step.on) w.mustBe(h, true, true, 'observer');
      }
      return;
    case 'partition':
    case 'packet-loss':
    case 'heal':
    case 'sleep':
      return;
  }
}

function describe(host: string, s: HostState): string {
  const what = !s.running ? 'is stopped' : s.member ? 'is in the cluster' : 'is outside the cluster';
  return `${host} ${what} (since ${s.changedBy})`;
}
