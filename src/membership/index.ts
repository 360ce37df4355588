/**
 * Gossip membership: who is in the cluster, how to reach them, and whether they are alive.
 *
 * SWIM (Das, Gupta, Motivala 2002) with HashiCorp's Lifeguard refinements (Dadgar et al.
 * 2018), following memberlist's rules, as a pure state machine: `Membership` takes time
 * as an argument, randomness from an injected Random, and returns the messages to send.
 * The p2p shell carries them (streams for ping/ack/ping-req/push-pull, a gossipsub topic
 * for `takeBroadcasts()`), validating everything it receives with
 * `validateMembershipMessage` first.
 *
 * A few small departures from memberlist, each found by the lossy-network simulation,
 * are listed in README.md and commented where they live: a fallback ping, a last-chance
 * probe before declaring death, answering stale accusations with the refutation, a
 * push-pull with strangers and with dead members that talk to us, and a suspicion at a
 * newer incarnation restarting rather than confirming. Dead members are retried by
 * push-pull (Serf's reconnect), which is what heals partitions.
 */
export { defaultMembershipConfig, validateMembershipConfig, type MembershipConfig } from './config.js';
export { Membership, type MembershipOptions } from './membership.js';
export {
  membershipProtocolVersion,
  type AckMessage,
  type AliveUpdate,
  type DeadUpdate,
  type GossipMessage,
  type MemberState,
  type MemberUpdate,
  type MembershipMessage,
  type NackMessage,
  type OutboundMessage,
  type PingMessage,
  type PingReqMessage,
  type PushPullMessage,
  type SuspectUpdate,
} from './messages.js';
export { membershipMessageLimits, validateMembershipMessage } from './validate-message.js';
export type {
  Member,
  MemberStatus,
  MembershipEvent,
  MembershipEventType,
  NodeCapacity,
  NodeMeta,
  NodeRole,
} from './types.js';
