/**
 * Real network namespaces for the load-balancer tests: one "node" with a bridge, backends
 * running small Node servers that answer their own name (HTTP :80, UDP :5353), a client on the bridge and an
 * "outside" client on a routed link. Every name starts with a per-process prefix so parallel
 * runs never clash; `destroy()` kills the processes and deletes the namespaces (and with
 * them every veth and bridge), and is safe to call after a partial setup.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Addresses of the test network (10.250.0.0/16, only ever inside these namespaces). */
export const testNet = {
  subnet: '10.250.1.0/24',
  gateway: '10.250.1.1',
  backends: ['10.250.1.11', '10.250.1.12', '10.250.1.13'],
  client: '10.250.1.50',
  /** The node's address on the outside client's link, and the outside client's. */
  nodeOutside: '10.250.9.1',
  outsideClient: '10.250.9.2',
  vip: '10.250.200.5',
  vipRange: '10.250.200.0/24',
} as const;

/** How long a started process may take to say it is ready, ms. */
const readyTimeoutMs = 10_000;

/** Answers its name over HTTP on port 80 and to any datagram on UDP port 5353. */
const backendServer = `
const name = process.argv[1];
const udp = require('dgram').createSocket('udp4');
udp.on('message', (m, from) => udp.send(name, from.port, from.address));
udp.bind(5353, () => require('http').createServer((req, res) => res.end(name)).listen(80, '0.0.0.0', () => console.log('ready')));`;

/** Runs a command and throws with its stderr when it fails. */
export function sh(program: string, ...args: string[]): string {
  const result = spawnSync(program, args, { encoding: 'utf8', timeout: 20_000 });
  if (result.status !== 0) throw new Error(`${program} ${args.join(' ')} failed: ${result.stderr || result.error?.message}`);
  return result.stdout;
}

/** The namespaces of one test run. */
export class TestNetwork {
  readonly node: string;
  readonly client: string;
  readonly outside: string;
  readonly backendNs: string[];
  private readonly created: string[] = [];
  private readonly processes: ChildProcess[] = [];

  constructor(readonly prefix = `lb${process.pid}`) {
    this.node = `${prefix}-node`;
    this.client = `${prefix}-client`;
    this.outside = `${prefix}-out`;
    this.backendNs = testNet.backends.map((_, i) => `${prefix}-b${i + 1}`);
  }

  /** Creates the namespaces, links and backend servers. */
  async create(): Promise<void> {
    for (const ns of [this.node, this.client, this.outside, ...this.backendNs]) {
      sh('ip', 'netns', 'add', ns);
      this.created.push(ns);
      sh('ip', '-n', ns, 'link', 'set', 'lo', 'up');
    }
    const inNode = (...args: string[]) => sh('ip', '-n', this.node, ...args);
    inNode('link', 'add', 'br0', 'type', 'bridge');
    inNode('addr', 'add', `${testNet.gateway}/24`, 'dev', 'br0');
    inNode('link', 'set', 'br0', 'up');
    // The node's own connections to VIPs need a route; the cluster network provides one for real.
    inNode('route', 'add', testNet.vipRange, 'dev', 'br0');
    const onBridge = [...this.backendNs.map((ns, i) => [ns, testNet.backends[i]!]), [this.client, testNet.client]];
    onBridge.forEach(([ns, ip], i) => {
      inNode('link', 'add', `v${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns!);
      inNode('link', 'set', `v${i}`, 'master', 'br0', 'up');
      sh('ip', '-n', ns!, 'addr', 'add', `${ip}/24`, 'dev', 'eth0');
      sh('ip', '-n', ns!, 'link', 'set', 'eth0', 'up');
      sh('ip', '-n', ns!, 'route', 'add', 'default', 'via', testNet.gateway);
    });
    inNode('link', 'add', 'out0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', this.outside);
    inNode('addr', 'add', `${testNet.nodeOutside}/30`, 'dev', 'out0');
    inNode('link', 'set', 'out0', 'up');
    sh('ip', '-n', this.outside, 'addr', 'add', `${testNet.outsideClient}/30`, 'dev', 'eth0');
    sh('ip', '-n', this.outside, 'link', 'set', 'eth0', 'up');
    await Promise.all(this.backendNs.map((ns, i) => this.startReady(ns, ['node', '-e', backendServer, `b${i + 1}`])));
  }

  /** Starts `command` in `ns` and waits for it to print a line containing "ready". */
  async startReady(ns: string, command: string[]): Promise<ChildProcess> {
    const child = this.start(ns, command);
    const lines = createInterface({ input: child.stdout! });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${command.join(' ')} in ${ns} not ready after ${readyTimeoutMs} ms`)), readyTimeoutMs);
      lines.on('line', (line) => { if (line.includes('ready')) { clearTimeout(timer); resolve(); } });
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${command.join(' ')} in ${ns} exited with ${code}`)); });
    });
    return child;
  }

  /** Starts `command` in `ns`; it is killed by destroy(). */
  start(ns: string, command: string[]): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', ns, ...command], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.processes.push(child);
    return child;
  }

  /** Kills every process started here and deletes every namespace; never throws. */
  destroy(): void {
    for (const child of this.processes) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    for (const ns of this.created.reverse()) spawnSync('ip', ['netns', 'del', ns]);
  }
}

/** The command that runs a sibling script of this file (compiled .js, or .ts through tsx). */
export function siblingScript(name: string): string[] {
  const url = import.meta.url;
  const ext = url.endsWith('.ts') ? '.ts' : '.js';
  const path = fileURLToPath(new URL(`./${name}${ext}`, url));
  return ext === '.ts' ? ['node', '--import', 'tsx', path] : ['node', path];
}
