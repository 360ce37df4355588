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

test('the seccomp profile refuses mount and module loading', () => {
  const denied = build().linux.seccomp.syscalls[0]!.names;
  for (const name of ['mount', 'umount2', 'reboot', 'kexec_load', 'init_module', 'finit_module', 'delete_module', 'bpf', 'keyctl', 'add_key', 'request_key', 'ptrace', 'open_by_handle_at', 'swapon', 'swapoff']) {
    assert.ok(denied.includes(name), name);
  }
});

test.run();
