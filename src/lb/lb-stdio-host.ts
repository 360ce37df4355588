/**
 * Runs a LoadBalancer in this process's network namespace, driven by JSON lines on stdin:
 * for tests and benchmarks that start it with `ip netns exec NODE node lb-stdio-host.js MODE`.
 * Each input line is an LbView; each is answered with one line, `{"ok":true,"describe":…}` or
 * `{"ok":false,"error":"…"}`. End of stdin (or SIGTERM) closes the balancer, removing what it made.
 */
import { createInterface } from 'node:readline';
import { errorMessage } from '../core/errors.js';
import { Logger } from '../core/logger.js';
import { LoadBalancer } from './load-balancer.js';
import type { LbView } from './lb-view.js';

const mode = process.argv[2];
if (mode !== 'auto' && mode !== 'nftables' && mode !== 'userland') {
  process.stderr.write(`usage: lb-stdio-host auto|nftables|userland (got ${JSON.stringify(mode)})\n`);
  process.exit(2);
}
const balancer = new LoadBalancer({ mode, logger: new Logger() });
let closing: Promise<void> | undefined;
const close = () => (closing ??= balancer.close().then(() => process.exit(0)));
process.on('SIGTERM', close);

for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === '') continue;
  try {
    await balancer.update(JSON.parse(line) as LbView);
    process.stdout.write(JSON.stringify({ ok: true, describe: balancer.describe() }) + '\n');
  } catch (err) {
    process.stdout.write(JSON.stringify({ ok: false, error: errorMessage(err) }) + '\n');
  }
}
await close();
