import type { ClusterCommand, CommandResult } from '../../cluster/commands.js';
import type { RaftService } from '../../consensus/raft-service.js';
import { SwarmError, errorMessage, isSwarmError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { RpcService } from '../../p2p/rpc.js';
import type { ReplicaResult } from './cluster-replica.js';
import { encodeCommand } from './command-codec.js';
import { clusterWriteProtocol, decodeWriteRequest, decodeWriteResponse, type WriteResponse } from './feed-messages.js';
import type { StateFollower } from './state-follower.js';

/** How long a write may wait for a leader (an election) before it fails. */
const writeDeadlineMs = 15_000;
const retryDelayMs = 100;
const commandBytesMax = 512 * 1024;

/** Commands that give the same result when applied twice, so a write whose outcome is unknown may be sent again. */
const idempotent = (command: ClusterCommand): boolean => command.type !== 'remove-stack' && command.type !== 'remove-node';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ClusterWriterComponents {
  rpc: RpcService;
  /** Managers only: this node's raft. */
  raft: RaftService | undefined;
  /** Workers only: to wait until the local state shows the write. */
  follower: StateFollower | undefined;
  /** Managers to send a worker's writes to, best first. */
  managers: () => string[];
  /** Whether a peer may write through this manager (an admitted member). */
  isMember: (peerId: string) => boolean;
  logger: Logger;
}

/**
 * Writes to the cluster state from any node. A manager proposes through its raft (a
 * follower forwards to the leader); a worker hands the command to a manager. Elections are
 * waited out; the write resolves once this node's own copy of the state shows it, so a
 * read right after sees it.
 */
export class ClusterWriter {
  constructor(private readonly c: ClusterWriterComponents) {}

  /** Serves workers' writes (managers). */
  serve(): Promise<void> {
    return this.c.rpc.handle(
      clusterWriteProtocol,
      async (request, context): Promise<WriteResponse> => {
        if (!this.c.isMember(context.peerId)) throw new SwarmError('PERMISSION_DENIED', 'only members of the cluster may change its state');
        return this.propose(request.bytes);
      },
      { decode: decodeWriteRequest, handlerTimeoutMs: writeDeadlineMs + 5000 },
    );
  }

  /** Writes `command`; resolves with what applying it did. Its refusal (NOT_FOUND, …) is a result, not an error. */
  async write(command: ClusterCommand): Promise<CommandResult> {
    const bytes = encodeCommand(command, commandBytesMax);
    const deadline = Date.now() + writeDeadlineMs;
    for (;;) {
      try {
        const { seq, result } = this.c.raft !== undefined ? await this.propose(bytes) : await this.viaManager(bytes);
        if (this.c.follower !== undefined && !(await this.c.follower.reach(seq, 5000))) {
          this.c.logger.warn('a write was committed but this node has not caught up with it yet', { seq });
        }
        return result as CommandResult;
      } catch (err) {
        const retry = isSwarmError(err, 'NOT_LEADER') || (isSwarmError(err, 'UNAVAILABLE') && idempotent(command));
        if (!retry || Date.now() + retryDelayMs > deadline) throw err;
        await sleep(retryDelayMs);
      }
    }
  }

  private async propose(bytes: Uint8Array): Promise<ReplicaResult> {
    const proposed = await this.c.raft!.propose(bytes);
    return proposed.result as ReplicaResult;
  }

  private async viaManager(bytes: Uint8Array): Promise<WriteResponse> {
    const managers = this.c.managers();
    if (managers.length === 0) throw new SwarmError('UNAVAILABLE', 'no manager of the cluster is reachable: writes need one; check `swarmts node ls`');
    let last: unknown;
    for (const manager of managers) {
      try {
        return await this.c.rpc.request(manager, clusterWriteProtocol, { bytes }, { decode: decodeWriteResponse, timeoutMs: writeDeadlineMs + 2000 });
      } catch (err) {
        last = err;
        if (!isSwarmError(err, 'UNAVAILABLE')) throw err;
        this.c.logger.debug('manager did not take a write', { manager, error: errorMessage(err) });
      }
    }
    throw last;
  }
}
