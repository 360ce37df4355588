import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { GossipTopic } from '../../p2p/gossip-topic.js';
import type { RpcService } from '../../p2p/rpc.js';
import type { ClusterReplica } from './cluster-replica.js';
import { decodePullRequest, statePullProtocol, type PullResponse, type StateGossip } from './feed-messages.js';

const headIntervalMs = 1000;
/** Commands bigger than this are left to pulls: gossipsub's limit is 1 MiB. */
const gossipBytesMax = 512 * 1024;
/** Commands per pull answer, in bytes: the RPC frame limit is 4 MiB. */
const pullBytesMax = 2 * 1024 * 1024;

export interface StatePublisherComponents {
  replica: ClusterReplica;
  topic: GossipTopic<StateGossip>;
  rpc: RpcService;
  /** This node's raft view: publish only while leader. */
  leadership: () => { isLeader: boolean; leader: string | undefined; term: number };
  logger: Logger;
}

/**
 * A manager's side of the state feed: while it leads, it gossips every command it applies
 * and a heartbeat with the newest sequence number; whether or not it leads, it answers
 * pulls from followers with the commands they miss or a snapshot.
 */
export class StatePublisher {
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly c: StatePublisherComponents) {}

  async start(): Promise<void> {
    await this.c.rpc.handle(statePullProtocol, async (request): Promise<PullResponse> => this.answer(request.after), { decode: decodePullRequest });
    this.unsubscribe = this.c.replica.onChange((change) => {
      if (change.kind !== 'applied') return;
      const { isLeader, leader, term } = this.c.leadership();
      const { seq, bytes } = change.applied;
      if (!isLeader || leader === undefined || bytes.length > gossipBytesMax) return;
      this.publish({ v: 1, kind: 'command', seq, bytes, leader, term });
    });
    this.timer = setInterval(() => {
      const { isLeader, leader, term } = this.c.leadership();
      if (isLeader && leader !== undefined) this.publish({ v: 1, kind: 'head', seq: this.c.replica.seq, leader, term });
    }, headIntervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.unsubscribe?.();
  }

  private answer(after: number): PullResponse {
    const seq = this.c.replica.seq;
    const commands = this.c.replica.commandsAfter(after);
    if (commands === undefined) return { seq, snapshot: this.c.replica.snapshot() };
    // A follower far behind gets a part and pulls again for the rest.
    let bytes = 0;
    const part = commands.filter((command) => (bytes += command.bytes.length) <= pullBytesMax);
    return { seq, commands: part.length > 0 ? part : commands.slice(0, 1) };
  }

  private publish(message: StateGossip): void {
    this.c.topic.publish(message).catch((err: unknown) => this.c.logger.debug('state gossip not published', { error: errorMessage(err) }));
  }
}
