import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BundleInput } from '../container-manager.js';
import type { ContainerSpec } from '../runtime.js';
import { buildBundleConfig, defaultCapabilities } from './bundle-config.js';

const spec = (over: Partial<ContainerSpec> = {}): ContainerSpec => ({
  image: 'busybox', env: [], labels: {}, resources: {}, network: { mode: 'none' }, mounts: [], readOnlyRootfs: false, ...over,
});
const input = (over: Partial<BundleInput> = {}): BundleInput => ({
  id: 'c1', args: ['sh'], env: ['PATH=/bin'], cwd: '/', user: { uid: 0, gid: 0, additionalGids: [] }, hostname: 'h',
  rootfs: '/r', spec: spec(), cgroupsPath: '/swarmts/n/c1', ...over,
});
type Config = {
  process: { user: unknown; capabilities: Record<string, string[]> };
  linux: { namespaces: Array<{ type: string; path?: string }>; resources: Record<string, unknown>; cgroupsPath: string; seccomp: { syscalls: Array<{ names: string[] }> } };
  mounts: Array<{ destination: string; type: string; options: string[] }>;
  root: { readonly: boolean };
};
const build = (over: Partial<BundleInput> = {}) => buildBundleConfig(input(over)) as Config;

test('the network namespace follows the attachment: new, joined, or the host\'s', () => {
  assert.equal(build().linux.namespaces.find((n) => n.type === 'network'), { type: 'network' });
  assert.equal(build({ spec: spec({ network: { mode: 'netns', path: '/run/netns/x' } }) }).linux.namespaces.find((n) => n.type === 'network'), { type: 'network', path: '/run/netns/x' });
  assert.is(build({ spec: spec({ network: { mode: 'host' } }) }).linux.namespaces.find((n) => n.type === 'network'), undefined);
});

test('limits map onto cgroup resources: memory without extra swap, cpus as a CFS quota, pids', () => {
  const r = build({ spec: spec({ resources: { memoryBytes: 64 << 20, nanoCpus: 500_000_000, pidsLimit: 50 } }) }).linux.resources;
  assert.equal(r['memory'], { limit: 64 << 20, swap: 64 << 20 });
  assert.equal(r['cpu'], { quota: 50_000, period: 100_000 });
  assert.equal(r['pids'], { limit: 50 });
  assert.equal(Object.keys(build().linux.resources), ['devices']);
});

test('root gets Docker\'s default capabilities, other users only a bounding set', () => {
  const root = build().process.capabilities;
  assert.equal(root['effective'], defaultCapabilities);
  assert.not.ok(root['bounding']!.includes('CAP_SYS_ADMIN'));
  const nobody = build({ user: { uid: 65534, gid: 65534, additionalGids: [] } }).process.capabilities;
  assert.equal(nobody['effective'], []);
  assert.equal(nobody['bounding'], defaultCapabilities);
});

test('binds and tmpfs mounts are added with their options; the root can be read-only', () => {
  const config = build({ spec: spec({ readOnlyRootfs: true, mounts: [
    { type: 'bind', source: '/srv/www', target: '/www', readOnly: true },
    { type: 'tmpfs', source: 'tmpfs', target: '/run', readOnly: false, tmpfsSizeBytes: 1024 },
  ] }) });
  assert.ok(config.root.readonly);
  assert.equal(config.mounts.find((m) => m.destination === '/www')?.options, ['rbind', 'rprivate', 'ro']);
  assert.ok(config.mounts.find((m) => m.destination === '/run')?.options.includes('size=1024'));
});

test('the seccomp profile refuses mount, module loading and the other escapes with EPERM', () => {
  const [denied, ...conditional] = build().linux.seccomp.syscalls as Array<{ names: string[]; action: string; errnoRet: number; args?: Array<{ index: number; value: number; op: string }> }>;
  assert.is(denied!.action, 'SCMP_ACT_ERRNO');
  assert.is(denied!.errnoRet, 1);
  for (const name of ['mount', 'umount2', 'reboot', 'kexec_load', 'kexec_file_load', 'init_module', 'finit_module', 'delete_module', 'bpf', 'keyctl', 'add_key', 'request_key', 'ptrace', 'open_by_handle_at', 'swapon', 'swapoff', 'pivot_root']) {
    assert.ok(denied!.names.includes(name), name);
  }
  for (const [name, index] of [['unshare', 0], ['clone', 0], ['setns', 1]] as const) {
    const rule = conditional.find((r) => r.names.includes(name) && r.args?.[0]?.op === 'SCMP_CMP_MASKED_EQ');
    assert.equal(rule?.args, [{ index, value: 0x10000000, valueTwo: 0x10000000, op: 'SCMP_CMP_MASKED_EQ' }], `${name} with CLONE_NEWUSER`);
    assert.is(rule?.errnoRet, 1);
  }
});

test('limits at their edges: a tiny cpu share still gets a 1 ms quota, no limits add no cgroup knobs', () => {
  const cases: Array<[Partial<ContainerSpec['resources']>, Record<string, unknown>]> = [
    [{ nanoCpus: 1 }, { cpu: { quota: 1000, period: 100_000 } }],
    [{ nanoCpus: 2_000_000_000 }, { cpu: { quota: 200_000, period: 100_000 } }],
    [{ pidsLimit: 1 }, { pids: { limit: 1 } }],
    [{}, {}],
  ];
  for (const [resources, expected] of cases) {
    const rest = { ...build({ spec: spec({ resources }) }).linux.resources };
    delete rest['devices'];
    assert.equal(rest, expected, JSON.stringify(resources));
  }
});

test('the default mounts give a private /proc, /dev with pts, shm and mqueue, and a read-only /sys', () => {
  const mounts = build().mounts;
  assert.equal(mounts.map((m) => m.destination), ['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys', '/sys/fs/cgroup']);
  assert.ok(mounts.find((m) => m.destination === '/sys')!.options.includes('ro'));
});

test.run();
