/**
 * The live state of one scenario run: its hosts, their daemons, and which hosts are in the
 * cluster (after init or a successful join, until they leave) so that `all-running` can be
 * resolved at each step.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Daemon } from './daemon.js';
import type { Host, Hosts } from './hosts.js';
import type { RunDir } from './run-dir.js';
import type { Observers } from './scenario-types.js';

/** The port every host's daemon listens on for the cluster, on the host's own address. */
export const clusterPort = 7946;

export class ScenarioWorld {
  private readonly daemons = new Map<string, Daemon>();
  private readonly members = new Set<string>();

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
