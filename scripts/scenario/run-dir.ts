/**
 * What one scenario run owns outside its own process: a subnet 10.99.X.0/24, the name prefix
 * `scX` derived from it, and the directory /tmp/swarmts-scenario-X with every host's state
 * and log. Creating the directory reserves the subnet, atomically, against concurrent runs.
 * The directory records the runner's pid, so a later run can take back what a runner that
 * was killed (SIGKILL, a test timeout) left behind: its namespaces, bridge, cgroups and files.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Subnets of scenario runs: 10.99.100-199.0/24 (hosts.test.ts uses 200-249). */
const subnetFirst = 100;
const subnetLast = 199;
const runDirBase = '/tmp/swarmts-scenario-';
/** Where node cgroups are, v1 controllers and v2 alike: `<root>/swarmts/<node name>`. */
const cgroupRoot = '/sys/fs/cgroup';
/** How long a run directory without its runner.pid still counts as being set up. */
const pidFileGraceMs = 60_000;
/** How often removing a cgroup is retried while its killed processes finish exiting. */
const cgroupRemoveAttempts = 20;

export interface RunDir {
  path: string;
  subnet: number;
  /** Names namespaces (`<prefix>h1`), the bridge and daemons (`<prefix>-h1`). */
  prefix: string;
}

/** Reserves a free subnet and its directory, first taking back any whose runner is dead. */
export async function reserveRunDir(): Promise<RunDir> {
  const start = subnetFirst + (process.pid % (subnetLast - subnetFirst + 1));
  for (let i = 0; i <= subnetLast - subnetFirst; i++) {
    const subnet = subnetFirst + ((start - subnetFirst + i) % (subnetLast - subnetFirst + 1));
    const dir: RunDir = { path: `${runDirBase}${subnet}`, subnet, prefix: `sc${subnet}` };
    if (!existsSync(dir.path) || !runnerAlive(dir)) {
      if (existsSync(dir.path)) await removeRunLeftovers(dir);
      try {
        mkdirSync(dir.path, { mode: 0o700 });
      } catch {
        continue; // another run took it between the check and here
      }
      writeFileSync(join(dir.path, 'runner.pid'), `${process.pid}\n`);
      return dir;
    }
  }
  throw new Error(`no free scenario subnet: every 10.99.${subnetFirst}-${subnetLast}.0/24 is held by a running runner`);
}

function runnerAlive(dir: RunDir): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dir.path, 'runner.pid'), 'utf8').trim());
  } catch {
    // No pid file yet: another runner is between mkdir and writing it, unless that was long ago.
    return Date.now() - (statSync(dir.path, { throwIfNoEntry: false })?.mtimeMs ?? 0) < pidFileGraceMs;
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes everything named by `dir`'s prefix: processes and namespaces, the bridge, node
 * cgroups, and the directory. Never throws; used by a run's own teardown and for leftovers.
 */
export async function removeRunLeftovers(dir: RunDir): Promise<void> {
  const namespaces = (await run('ip', ['netns', 'list']).catch(() => ({ stdout: '' }))).stdout;
  for (const line of namespaces.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    if (!new RegExp(`^${dir.prefix}h\\d+$`).test(name)) continue;
    const pids = (await run('ip', ['netns', 'pids', name]).catch(() => ({ stdout: '' }))).stdout;
    for (const pid of pids.split('\n').filter(Boolean)) killQuietly(Number(pid));
    await run('ip', ['netns', 'del', name]).catch(() => {});
  }
  await run('ip', ['link', 'del', `${dir.prefix}br`]).catch(() => {});
  await removeTaskNamespaces(dir.path);
  await removeNodeCgroups(`${dir.prefix}-`);
  await unmountUnder(dir.path);
  try {
    rmSync(dir.path, { recursive: true, force: true });
  } catch (err) {
    process.stderr.write(`warning: could not remove ${dir.path}: ${(err as Error).message}\n`);
  }
}

/**
 * Deletes the task network namespaces the run's daemons recorded (`h<N>/state/network/tasks/<task id>`):
 * they are bound under the machine's /run/netns, so they outlive the hosts' namespaces.
 */
async function removeTaskNamespaces(path: string): Promise<void> {
  for (const host of listDir(path)) {
    for (const taskId of listDir(join(path, host, 'state', 'network', 'tasks'))) await run('ip', ['netns', 'del', `swt-${taskId}`]).catch(() => {});
  }
}

/**
 * Unmounts everything mounted below `path`, deepest first. The daemons share this machine's
 * mount namespace (hosts.ts enters only the network namespace), so the root filesystems
 * of their containers stay mounted after the daemons and containers are killed.
 */
export async function unmountUnder(path: string): Promise<void> {
  let mountinfo: string;
  try {
    mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return;
  }
  // Field 5 is the mount point, with spaces and the like escaped as octal (\040).
  const points = mountinfo.split('\n').map((line) => line.split(' ')[4] ?? '')
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))))
    .filter((p) => p.startsWith(`${path}/`))
    .sort((a, b) => b.length - a.length);
  for (const point of new Set(points)) {
    await run('umount', ['-l', point]).catch((err: Error) => process.stderr.write(`warning: could not unmount ${point}: ${err.message.split('\n')[0]}\n`));
  }
}

/** Kills what runs in, and removes, every node cgroup whose name starts with `namePrefix`. */
export async function removeNodeCgroups(namePrefix: string): Promise<void> {
  const parents = [join(cgroupRoot, 'swarmts'), ...listDir(cgroupRoot).map((c) => join(cgroupRoot, c, 'swarmts'))];
  for (const parent of parents) {
    for (const name of listDir(parent).filter((n) => n.startsWith(namePrefix))) await removeCgroupTree(join(parent, name));
  }
}

/**
 * Kills every process in the node cgroup named exactly `nodeName` and below, in every
 * hierarchy, leaving the cgroups in place: what a power cut does to a node's containers.
 */
export function killNodeCgroupProcesses(nodeName: string): void {
  const parents = [join(cgroupRoot, 'swarmts'), ...listDir(cgroupRoot).map((c) => join(cgroupRoot, c, 'swarmts'))];
  const kill = (path: string): void => {
    for (const child of listDir(path)) kill(join(path, child));
    const procs = existsSync(join(path, 'cgroup.procs')) ? readFileSync(join(path, 'cgroup.procs'), 'utf8') : '';
    for (const pid of procs.split('\n').filter(Boolean)) killQuietly(Number(pid));
  };
  for (const parent of parents) if (existsSync(join(parent, nodeName))) kill(join(parent, nodeName));
}

async function removeCgroupTree(path: string): Promise<void> {
  for (const child of listDir(path)) {
    if (existsSync(join(path, child, 'cgroup.procs'))) await removeCgroupTree(join(path, child));
  }
  for (let attempt = 0; attempt < cgroupRemoveAttempts; attempt++) {
    const procs = existsSync(join(path, 'cgroup.procs')) ? readFileSync(join(path, 'cgroup.procs'), 'utf8') : '';
    for (const pid of procs.split('\n').filter(Boolean)) killQuietly(Number(pid));
    try {
      rmdirSync(path);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  process.stderr.write(`warning: could not remove cgroup ${path}\n`);
}

function listDir(path: string): string[] {
  try {
    return readdirSync(path, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
