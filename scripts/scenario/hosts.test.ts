import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Hosts } from './hosts.js';

const run = promisify(execFile);
const subnet = 200 + (process.pid % 50);
const prefix = `t${(process.pid % 46656).toString(36)}`;

async function ping(hosts: Hosts, from: number, to: number): Promise<boolean> {
  const [cmd, ...args] = hosts.exec(hosts.hosts[from]!, ['ping', '-c', '1', '-W', '1', hosts.hosts[to]!.ip]);
  return run(cmd!, args).then(() => true, () => false);
}

test('hosts reach each other, a partition cuts them apart, heal joins them, destroy leaves nothing', async () => {
  const hosts = await Hosts.create({ prefix, count: 3, subnet });
  try {
    assert.ok(await ping(hosts, 0, 1), 'h1 -> h2 before the partition');
    assert.ok(await ping(hosts, 2, 0), 'h3 -> h1 before the partition');
    await hosts.partition([hosts.hosts[0]!], [hosts.hosts[1]!, hosts.hosts[2]!]);
    assert.not.ok(await ping(hosts, 0, 1), 'h1 -> h2 across the partition');
    assert.not.ok(await ping(hosts, 2, 0), 'h3 -> h1 across the partition');
    assert.ok(await ping(hosts, 1, 2), 'h2 -> h3 on the same side');
    await hosts.heal();
    assert.ok(await ping(hosts, 0, 1), 'h1 -> h2 after heal');
  } finally {
    await hosts.destroy();
  }
  const { stdout: netns } = await run('ip', ['netns', 'list']);
  assert.not.ok(netns.includes(`${prefix}h`), `namespaces left: ${netns}`);
  const { stdout: links } = await run('ip', ['-o', 'link', 'show']);
  assert.not.ok(links.includes(`${prefix}br`) || links.includes(`${prefix}v`), 'devices left behind');
});

test('bad configurations are refused before anything is made', async () => {
  for (const [config, message] of [
    [{ prefix: 'Toolong1', count: 1, subnet: 1 }, /prefix/],
    [{ prefix: 'ok', count: 0, subnet: 1 }, /count/],
    [{ prefix: 'ok', count: 1, subnet: 255 }, /subnet/],
  ] as const) {
    try {
      await Hosts.create(config);
      assert.unreachable('should have thrown');
    } catch (err) {
      assert.match(String(err), message);
    }
  }
});

test.run();
