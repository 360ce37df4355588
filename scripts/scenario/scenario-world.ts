/**
 * The live state of one scenario run: its hosts, their daemons, which hosts are in the
 * cluster (after init or a successful join, until they leave) so that `all-running` can be
 * resolved at each step, the host `$killed` names, each daemon's node id once learnt, the
 * images built for the run, and what `record` steps saw.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Daemon } from './daemon.js';
import type { Host, Hosts } from './hosts.js';
import type { Recorded } from './orchestration-judge.js';
import type { RunDir } from './run-dir.js';
import type { Observers } from './scenario-types.js';

/** The port every host's daemon listens on for the cluster, on the host's own address. */
export const clusterPort = 7946;

export class ScenarioWorld {
  private readonly daemons = new Map<string, Daemon>();
  private readonly members = new Set<string>();
  private readonly nodeIds = new Map<string, string>();
  /** The host the latest kill or stop took down: what `$killed` names. */
  lastKilled: string | undefined;
  /**
   * The latest step that changed the cluster (a command or a kill, crash, stop or restart)
   * and when it returned, until a step other than a network step: network steps report how
   * long after it their check first held.
   */
  lastChange: { what: string; atMs: number } | undefined;
  /** What each `record` step saw, by its `as` name. */
  readonly records = new Map<string, Recorded>();
  /** Image tars built for this run, by builder name; built at the first step that needs one. */
  readonly builtImages = new Map<string, string>();

  constructor(readonly hosts: Hosts, readonly runDir: RunDir) {
    for (const host of hosts.hosts) {
      const dir = join(runDir.path, `h${host.index}`);
      mkdirSync(join(dir, 'state'), { recursive: true, mode: 0o700 });
      this.daemons.set(`h${host.index}`, new Daemon(host, `${runDir.prefix}-h${host.index}`, join(dir, 'state'), join(dir, 'daemon.log'), hosts));
    }
  }

  /** Every host name, in order: h1, h2, ... */
  get names(): string[] {
    return [...this.daemons.keys()];
  }

  daemon(name: string): Daemon {
    const daemon = this.daemons.get(name);
    if (!daemon) throw new Error(`no host ${name}`);
    return daemon;
  }

  host(name: string): Host {
    return this.daemon(name).host;
  }

  stateDir(name: string): string {
    return this.daemon(name).stateDir;
  }

  /** `ip:port` the host's daemon listens on and advertises. */
  address(name: string): string {
    return `${this.host(name).ip}:${clusterPort}`;
  }

  /** The scenario's name for a listed node (`sc120-h3` -> `h3`), undefined for any other. */
  hostOf(hostname: string): string | undefined {
    const match = new RegExp(`^${this.runDir.prefix}-(h\\d+)$`).exec(hostname);
    return match && this.daemons.has(match[1]!) ? match[1] : undefined;
  }

  /** The host's daemon's node id, once learnt (it does not change across restarts). */
  nodeId(name: string): string | undefined {
    return this.nodeIds.get(name);
  }

  setNodeId(name: string, id: string): void {
    this.nodeIds.set(name, id);
  }

  /** The scenario's host whose daemon has node id `id`, if learnt. */
  hostOfNodeId(id: string): string | undefined {
    for (const [host, known] of this.nodeIds) if (known === id) return host;
    return undefined;
  }

  /** The daemon's `--name`, its hostname in node lists: `sc120-h3` for `h3`. */
  nodeName(name: string): string {
    return this.daemon(name).nodeName;
  }

  /** Whether the host is in the cluster (initialized or joined, not left). */
  isMember(name: string): boolean {
    return this.members.has(name);
  }

  setMember(name: string, member: boolean): void {
    if (member) this.members.add(name);
    else this.members.delete(name);
  }

  /** The hosts that answer an expectation at this moment. */
  observers(on: Observers): string[] {
    if (on !== 'all-running') return on;
    return this.names.filter((h) => this.members.has(h) && this.daemon(h).running);
  }

  /** Kills every daemon still running (teardown: no orderly leave). Never throws. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.daemons.values()].map((d) => d.kill().catch(() => {})));
  }
}
