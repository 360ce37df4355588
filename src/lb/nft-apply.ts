/**
 * The nftables mode: applies the rulesets of nft-ruleset.ts with `nft -f -` (one atomic
 * transaction per update) in the network namespace of the calling process, and deletes the
 * conntrack entries of removed backends (`conntrack`, Debian package `conntrack`).
 */
import { errorMessage, SwarmError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Balancer } from './balancer.js';
import { conntrackDeletions } from './conntrack-cleanup.js';
import type { LbView } from './lb-view.js';
import { planChanges, fullRuleset, removeTableScript } from './nft-ruleset.js';
import { runCommand } from './run-command.js';
import { applyLbSysctls } from './sysctl.js';

/** Whether nftables works here: `nft` is installed and the kernel answers `nft list tables`. */
export async function nftablesUsable(): Promise<boolean> {
  const result = await runCommand('nft', ['list', 'tables']);
  return result.code === 0;
}

/** Balancing with kernel NAT rules in `table ip swarmts_lb`. */
export class NftBalancer implements Balancer {
  private applied: LbView | undefined;
  private conntrackMissingWarned = false;

  constructor(private readonly logger: Logger) {}

  async update(view: LbView): Promise<void> {
    const previous = this.applied;
    if (previous === undefined) await applyLbSysctls();
    const script = planChanges(previous, view);
    if (script !== '') await this.applyScript(script, view);
    this.applied = structuredClone(view);
    await this.deleteConntrack(conntrackDeletions(previous, view));
  }

  async close(): Promise<void> {
    if (this.applied === undefined) return;
    this.applied = undefined;
    await runNft(removeTableScript());
  }

  /** Applies `script`; if an incremental one fails (the table was changed behind our back), rebuilds it whole. */
  private async applyScript(script: string, view: LbView): Promise<void> {
    try {
      await runNft(script);
    } catch (err) {
      if (this.applied === undefined) throw err;
      this.logger.warn('incremental nftables update failed; rebuilding the whole table', { error: errorMessage(err).split('\n').slice(0, 2).join(' ') });
      this.applied = undefined;
      await runNft(fullRuleset(view));
    }
  }

  private async deleteConntrack(deletions: string[][]): Promise<void> {
    for (const args of deletions) {
      const result = await runCommand('conntrack', args);
      if (result.missing) {
        if (!this.conntrackMissingWarned) {
          this.logger.warn('conntrack is not installed: connections to removed backends hang until they time out; install it with `apt-get install conntrack`');
          this.conntrackMissingWarned = true;
        }
        return;
      }
      // conntrack exits 1 when no entry matched: the usual case, not an error.
      if (result.code !== 0 && !/0 flow entries/.test(result.stderr)) {
        this.logger.warn('conntrack -D failed', { args: args.join(' '), error: result.stderr.trim() });
      }
    }
  }
}

async function runNft(script: string): Promise<void> {
  const result = await runCommand('nft', ['-f', '-'], script);
  if (result.missing) {
    throw new SwarmError('UNAVAILABLE', 'nft is not installed: install nftables (`apt-get install nftables`) or run the load balancer in userland mode');
  }
  if (result.code !== 0) {
    throw new SwarmError('IO_ERROR', `nft -f - rejected the load-balancer rules: ${result.stderr.trim()}\n--- script ---\n${script}`);
  }
}
