import type { BundleInput } from '../container-manager.js';
import { defaultSeccompProfile } from './seccomp-profile.js';

/**
 * Builds an OCI runtime-spec config.json for a container, the way Docker does for
 * `docker run`: its default capability set, masked and read-only /proc paths, the usual
 * mounts, new namespaces (the network one joined or skipped as asked), cgroup limits and
 * the default seccomp profile. Pure: the caller writes the result to the bundle.
 */

/** Docker's default capabilities: enough for ordinary services, nothing that reaches the host. */
export const defaultCapabilities = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

export const maskedPaths = [
  '/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
];

export const readonlyPaths = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** CFS period for --cpus: 100 ms, Docker's. */
export const cpuPeriodUs = 100_000;

export function buildBundleConfig(input: BundleInput): object {
  const { spec } = input;
  const namespaces: Array<{ type: string; path?: string }> = [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'cgroup' }];
  if (spec.network.mode === 'none') namespaces.push({ type: 'network' });
  if (spec.network.mode === 'netns') namespaces.push({ type: 'network', path: spec.network.path });

  const resources: Record<string, unknown> = { devices: [{ allow: false, access: 'rwm' }] };
  if (spec.resources.memoryBytes !== undefined) {
    // swap equal to the limit: no swap beyond it, as Docker does with --memory alone
    resources['memory'] = { limit: spec.resources.memoryBytes, swap: spec.resources.memoryBytes };
  }
  if (spec.resources.nanoCpus !== undefined) {
    resources['cpu'] = { quota: Math.max(1000, Math.round((spec.resources.nanoCpus / 1e9) * cpuPeriodUs)), period: cpuPeriodUs };
  }
  if (spec.resources.pidsLimit !== undefined) resources['pids'] = { limit: spec.resources.pidsLimit };

  return {
    ociVersion: '1.1.0',
    process: {
      terminal: false,
      user: { uid: input.user.uid, gid: input.user.gid, additionalGids: input.user.additionalGids },
      args: input.args,
      env: input.env,
      cwd: input.cwd,
      capabilities: {
        bounding: defaultCapabilities,
        effective: input.user.uid === 0 ? defaultCapabilities : [],
        permitted: input.user.uid === 0 ? defaultCapabilities : [],
        inheritable: [],
        ambient: [],
      },
      noNewPrivileges: false,
      oomScoreAdj: 0,
    },
    root: { path: input.rootfs, readonly: spec.readOnlyRootfs },
    hostname: input.hostname,
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
      ...spec.mounts.map((m) => m.type === 'bind'
        ? { destination: m.target, type: 'bind', source: m.source, options: ['rbind', 'rprivate', m.readOnly ? 'ro' : 'rw'] }
        : { destination: m.target, type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=1777', ...(m.tmpfsSizeBytes ? [`size=${m.tmpfsSizeBytes}`] : []), ...(m.readOnly ? ['ro'] : [])] }),
    ],
    linux: {
      namespaces,
      cgroupsPath: input.cgroupsPath,
      resources,
      maskedPaths,
      readonlyPaths,
      seccomp: defaultSeccompProfile(),
    },
  };
}
