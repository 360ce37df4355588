import type { ClusterCommand, CommandResult } from '../../cluster/commands.js';
import type { RaftService } from '../../consensus/raft-service.js';
import { voterRemovalProblem } from '../../consensus/voter-policy.js';
import { SwarmError, errorMessage, isSwarmError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Member } from '../../membership/types.js';
import type { RpcService } from '../../p2p/rpc.js';
import type { NodeRole } from '../../spec/node-info.js';
import type { ClusterReplica } from './cluster-replica.js';

/** `node promote` / `demote` from any node reach the raft leader on this protocol: only it can tell whether raft keeps its quorum. */
export const roleRequestProtocol = '/swarmts/role-request/1';

/** How long a request may wait for a leader (an election) before it fails. */
const requestDeadlineMs = 15_000;
const retryDelayMs = 200;

interface RoleRequest {
  node: string;
  role: NodeRole;
}

function decodeRoleRequest(body: unknown): RoleRequest {
  const value = body as { node?: unknown; role?: unknown } | null;
  if (typeof value?.node !== 'string' || value.node.length === 0 || value.node.length > 256 || (value.role !== 'manager' && value.role !== 'worker')) {
    throw new SwarmError('MALFORMED_MESSAGE', `${roleRequestProtocol}: expected {node, role: manager|worker}`);
  }
  return { node: value.node, role: value.role };
}

function decodeCommandResult(body: unknown): CommandResult {
  const value = body as { ok?: unknown } | null;
  if (typeof value?.ok !== 'boolean') throw new SwarmError('MALFORMED_MESSAGE', `${roleRequestProtocol}: expected a command result {ok, ...}`);
  return value as CommandResult;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RoleRequestsComponents {
  rpc: RpcService;
  /** Managers only. */
  raft: RaftService | undefined;
  replica: ClusterReplica;
  members: () => Member[];
  /** The leader first when known: where a request goes. */
  managers: () => string[];
  isMember: (peerId: string) => boolean;
  write: (command: ClusterCommand) => Promise<CommandResult>;
  logger: Logger;
}

/**
 * Role changes, decided on the raft leader: it refuses a demotion that would cost raft its
 * quorum (the cluster state itself refuses to demote the last manager), then records the
 * wanted role; LeaderDuties carries it out. Other nodes send the request to the leader.
 */
export class RoleRequests {
  constructor(private readonly c: RoleRequestsComponents) {}

  /** Serves other nodes' requests (managers; only the leader answers, the others say NOT_LEADER). */
  serve(): Promise<void> {
    return this.c.rpc.handle(
      roleRequestProtocol,
      async (request, context) => {
        if (!this.c.isMember(context.peerId)) throw new SwarmError('PERMISSION_DENIED', 'only members of the cluster may change node roles');
        return this.decide(request);
      },
      { decode: decodeRoleRequest, handlerTimeoutMs: requestDeadlineMs + 5000 },
    );
  }

  /** Asks the leader to give `node` (an id the cluster state holds) the role `role`; elections are waited out. */
  async change(node: string, role: NodeRole): Promise<CommandResult> {
    const deadline = Date.now() + requestDeadlineMs;
    for (;;) {
      try {
        if (this.c.raft?.isLeader() === true) return await this.decide({ node, role });
        return await this.viaLeader({ node, role });
      } catch (err) {
        if (!(isSwarmError(err, 'NOT_LEADER') || isSwarmError(err, 'UNAVAILABLE')) || Date.now() + retryDelayMs > deadline) throw err;
        this.c.logger.debug('role request not taken yet', { node, role, error: errorMessage(err) });
        await sleep(retryDelayMs);
      }
    }
  }

  private async decide({ node, role }: RoleRequest): Promise<CommandResult> {
    const raft = this.c.raft;
    if (raft === undefined || !raft.isLeader()) {
      throw new SwarmError('NOT_LEADER', `this node does not lead raft; ask the leader${raft?.leader() === undefined ? '' : `, ${raft.leader()}`}`);
    }
    const record = this.c.replica.store.node(node);
    if (record === undefined) return { ok: false, code: 'NOT_FOUND', message: `no node ${node}: see \`swarmts node ls\`` };
    if (record.role === role) return { ok: true, unchanged: [node] };
    // The last manager is the cluster state's refusal (set-node-role), which says it better than raft's arithmetic.
    const lastManager = this.c.replica.store.nodeList().filter((n) => n.role === 'manager').length === 1;
    if (role === 'worker' && !lastManager) {
      const members = this.c.members();
      const aliveManagers = members.filter((m) => m.status === 'alive' && m.meta.role === 'manager').map((m) => m.meta.id);
      const nameOf = (id: string) => members.find((m) => m.meta.id === id)?.meta.name ?? id;
      const problem = voterRemovalProblem({ node, voters: raft.status().voters, aliveManagers, nameOf });
      if (problem !== undefined) {
        return {
          ok: false, code: 'CONFLICT',
          message: `cannot demote ${record.hostname}: ${problem}. Bring the down managers back first (see \`swarmts node ls\`), or promote another node and wait until it votes`,
        };
      }
    }
    return this.c.write({ type: 'set-node-role', node, role, atMs: Date.now() });
  }

  private async viaLeader(request: RoleRequest): Promise<CommandResult> {
    const managers = this.c.managers();
    if (managers.length === 0) throw new SwarmError('UNAVAILABLE', 'no manager of the cluster is reachable: role changes need the raft leader; check `swarmts node ls`');
    let last: unknown;
    for (const manager of managers) {
      try {
        return await this.c.rpc.request(manager, roleRequestProtocol, request, { decode: decodeCommandResult, timeoutMs: requestDeadlineMs + 2000 });
      } catch (err) {
        last = err;
        if (!isSwarmError(err, 'NOT_LEADER') && !isSwarmError(err, 'UNAVAILABLE')) throw err;
      }
    }
    throw last;
  }
}
