import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../core/run-command.js';

/**
 * A real distribution registry (Debian's `docker-registry`) on 127.0.0.1 for tests: a free
 * port, its own temp data dir, optional htpasswd basic auth or bearer-token auth. `stop()`
 * kills it and deletes its data; a test process that exits without calling it still kills
 * the registry (an exit hook, and the parent-death signal if the process is killed), so no
 * test leaves one running.
 */

export interface StartRegistryOptions {
  /** Require these credentials (htpasswd basic auth; needs `htpasswd` from apache2-utils). */
  basicAuth?: { username: string; password: string };
  /** Require bearer tokens from this token service (see testing/token-server.ts). */
  tokenAuth?: { realm: string; service: string; issuer: string; rootCertBundlePath: string };
  /** How long to wait for the registry to answer. Default 10 000 ms. */
  startTimeoutMs?: number;
}

export interface TestRegistry {
  /** `127.0.0.1:<port>`: use as the registry part of references. */
  host: string;
  dataDir: string;
  /** Kills the registry and deletes its data. Safe to call twice. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function configYaml(port: number, dataDir: string, auth: string): string {
  return [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${dataDir}/data`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    auth,
  ].join('\n') + '\n';
}

async function waitReady(host: string, child: ChildProcess, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`docker-registry exited early: ${output()}`);
    const ok = await fetch(`http://${host}/v2/`).then((r) => r.status === 200 || r.status === 401, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`docker-registry on ${host} did not answer within ${timeoutMs} ms: ${output()}`);
}

/** Starts a registry; retries on a new port if another process took the chosen one. */
export async function startRegistry(options: StartRegistryOptions = {}): Promise<TestRegistry> {
  installExitHook();
  const dataDir = await mkdtemp(join(tmpdir(), 'swarmts-registry-'));
  let auth = '';
  if (options.basicAuth) {
    await run('htpasswd', ['-Bbc', join(dataDir, 'htpasswd'), options.basicAuth.username, options.basicAuth.password], { what: 'making the test registry htpasswd (apt package apache2-utils)' });
    auth = `auth:\n  htpasswd:\n    realm: swarmts-test\n    path: ${dataDir}/htpasswd`;
  } else if (options.tokenAuth) {
    const t = options.tokenAuth;
    auth = `auth:\n  token:\n    realm: ${t.realm}\n    service: ${t.service}\n    issuer: ${t.issuer}\n    rootcertbundle: ${t.rootCertBundlePath}`;
  }
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    const configPath = join(dataDir, 'config.yml');
    await writeFile(configPath, configYaml(port, dataDir, auth));
    // setpriv --pdeathsig: the registry dies with this process even when it is SIGKILLed (a test timeout).
    const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', 'docker-registry', 'serve', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    let output = '';
    const keep = (d: Buffer) => { if (output.length < 8192) output += d.toString(); };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const exited = new Promise<void>((resolve) => child.once('close', () => { live.delete(child); resolve(); }));
    const kill = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
        await exited;
        clearTimeout(timer);
      }
    };
    try {
      await waitReady(host, child, options.startTimeoutMs ?? 10_000, () => output);
    } catch (err) {
      lastError = err;
      await kill();
      continue;
    }
    let stopped = false;
    return {
      host,
      dataDir,
      async stop() {
        if (stopped) return;
        stopped = true;
        await kill();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  }
  await rm(dataDir, { recursive: true, force: true });
  throw lastError;
}
