import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { taskNetnsName } from './link-names.js';

/**
 * The overlay on the real kernel: two "hosts" (network namespaces on a private LAN in a
 * namespace of their own, 10.99.240.0/24), each with its node network and tasks. Tasks
 * reach each other across hosts over VXLAN, only on a common stack network.
 */

const prefix = `swtn${process.pid}`;
const lan = `${prefix}-lan`;
const hosts = [{ ns: `${prefix}-h1`, ip: '10.99.240.11', subnet: '10.200.1.0/24' }, { ns: `${prefix}-h2`, ip: '10.99.240.12', subnet: '10.200.2.0/24' }];
const childPath = fileURLToPath(new URL(`./testing/node-network-child${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'swarmts-netns-test-'));

const task = (name: string, address: string) => ({ id: `${prefix}${name}`, address, hostname: name });
const tasks = { h1: [task('a', '10.200.1.2'), task('b', '10.200.1.3'), task('c', '10.200.1.4')], h2: [task('d', '10.200.2.2'), task('e', '10.200.2.3')] };
// Network front: a, b, d; network back: c, e.
const isolation = { pool: '10.200.0.0/16', vipRange: '10.201.0.0/16', networks: [{ name: 'demo_front', addresses: ['10.200.1.2', '10.200.1.3', '10.200.2.2'] }, { name: 'demo_back', addresses: ['10.200.1.4', '10.200.2.3'] }] };

function sh(args: string[]): { ok: boolean; out: string } {
  const result = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8', timeout: 10_000 });
  return { ok: result.status === 0, out: `${result.stdout}${result.stderr}` };
}

function must(args: string[]): void {
  const result = sh(args);
  if (!result.ok) throw new Error(`${args.join(' ')}: ${result.out}`);
}

function child(host: (typeof hosts)[number], action: 'up' | 'down', hostTasks: ReturnType<typeof task>[]): Promise<void> {
  const order = { action, subnet: host.subnet, underlay: host.ip, dir: join(dir, host.ns), isolation, tasks: hostTasks, peers: hosts.map((h) => ({ subnet: h.subnet, underlay: h.ip })) };
  return new Promise((resolve, reject) => {
    const proc = spawn('nsenter', [`--net=/run/netns/${host.ns}`, process.execPath, ...process.execArgv, childPath, JSON.stringify(order)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0 && out.includes('done')) resolve();
      else reject(new Error(`node network ${action} on ${host.ns} failed (exit ${code}): ${out}`));
    });
  });
}

/** Whether `from` reaches `address` (one ping, bounded). */
const reaches = (from: ReturnType<typeof task>, address: string) => sh(['ip', 'netns', 'exec', taskNetnsName(from.id), 'ping', '-c', '1', '-W', '1', address]).ok;

function destroy(): void {
  for (const t of [...tasks.h1, ...tasks.h2]) sh(['ip', 'netns', 'delete', taskNetnsName(t.id)]);
  for (const ns of [...hosts.map((h) => h.ns), lan]) sh(['ip', 'netns', 'delete', ns]);
  rmSync(dir, { recursive: true, force: true });
}

test('tasks reach each other across hosts over VXLAN, only on a common network, and outside masqueraded; down removes everything', async () => {
  try {
    must(['ip', 'netns', 'add', lan]);
    must(['ip', '-n', lan, 'link', 'add', 'lan0', 'type', 'bridge']);
    must(['ip', '-n', lan, 'link', 'set', 'lan0', 'up']);
    // An address outside the cluster with no route back to 10.200.0.0/16: only masqueraded traffic gets answers.
    must(['ip', '-n', lan, 'addr', 'add', '10.99.240.1/24', 'dev', 'lan0']);
    for (const [i, host] of hosts.entries()) {
      must(['ip', 'netns', 'add', host.ns]);
      must(['ip', 'link', 'add', `${prefix}v${i}`, 'netns', lan, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', host.ns]);
      must(['ip', '-n', lan, 'link', 'set', `${prefix}v${i}`, 'master', 'lan0', 'up']);
      must(['ip', '-n', host.ns, 'addr', 'add', `${host.ip}/24`, 'dev', 'eth0']);
      must(['ip', '-n', host.ns, 'link', 'set', 'eth0', 'up']);
      must(['ip', '-n', host.ns, 'link', 'set', 'lo', 'up']);
    }
    await child(hosts[0]!, 'up', tasks.h1);
    await child(hosts[1]!, 'up', tasks.h2);
    const [a, b, c] = tasks.h1;
    const [d, e] = tasks.h2;

    assert.ok(reaches(a!, '10.200.1.1'), 'a reaches its gateway');
    assert.ok(reaches(a!, '10.99.240.1'), 'a reaches outside the cluster, masqueraded');
    assert.ok(reaches(a!, d!.address), 'a reaches d on the other host (front)');
    assert.ok(reaches(d!, a!.address), 'and back');
    assert.ok(reaches(a!, b!.address), 'a reaches b on its own bridge (front)');
    assert.ok(reaches(c!, e!.address), 'c reaches e across hosts (back)');
    assert.not.ok(reaches(a!, c!.address), 'front cannot reach back on the same bridge');
    assert.not.ok(reaches(a!, e!.address), 'front cannot reach back across hosts');
    assert.not.ok(reaches(e!, b!.address), 'back cannot reach front across hosts');
    assert.match(sh(['ip', 'netns', 'exec', taskNetnsName(a!.id), 'ip', 'link', 'show', 'eth0']).out, 'mtu 1450');

    await child(hosts[0]!, 'down', []);
    assert.not.ok(sh(['ip', '-n', hosts[0]!.ns, 'link', 'show', 'swt0']).ok, 'the bridge is gone');
    assert.not.ok(sh(['ip', '-n', hosts[0]!.ns, 'link', 'show', 'swt-vx']).ok, 'the VXLAN device is gone');
    assert.not.ok(sh(['ip', 'netns', 'exec', hosts[0]!.ns, 'nft', 'list', 'table', 'inet', 'swarmts']).ok, 'the filter is gone');
    for (const t of tasks.h1) assert.not.ok(sh(['ip', 'netns', 'exec', taskNetnsName(t.id), 'true']).ok, `${t.hostname}'s namespace is gone`);
  } finally {
    destroy();
  }
});

test.run();
