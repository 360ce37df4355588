import { Readable } from 'node:stream';
import { run } from '../core/run-command.js';

/** The iproute2 and nftables commands the network layer runs, each as one batch. */

/** Runs `ip [-n NETNS] -batch -` over the lines; nothing to do for none. */
export async function ipBatch(lines: readonly string[], what: string, netns?: string): Promise<void> {
  if (lines.length === 0) return;
  await run('ip', [...(netns === undefined ? [] : ['-n', netns]), '-batch', '-'], { stdin: Readable.from([`${lines.join('\n')}\n`]), what });
}

/** Runs `bridge -batch -` over the lines. */
export async function bridgeBatch(lines: readonly string[], what: string): Promise<void> {
  if (lines.length === 0) return;
  await run('bridge', ['-batch', '-'], { stdin: Readable.from([`${lines.join('\n')}\n`]), what });
}

/** Applies an nftables script in one transaction. */
export async function nftApply(script: string, what: string): Promise<void> {
  await run('nft', ['-f', '-'], { stdin: Readable.from([script]), what });
}

/** Whether a link of that name exists in this network namespace. */
export async function linkExists(name: string): Promise<boolean> {
  try {
    await run('ip', ['link', 'show', 'dev', name]);
    return true;
  } catch {
    return false;
  }
}
