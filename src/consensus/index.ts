/**
 * The daemon's consensus shell: raft (src/raft) with real time, a real WAL
 * (src/raft/storage) and a network Transport (src/p2p), around any StateMachine.
 * See README.md for the design and what the daemon wires.
 *
 * Test support (test-cluster.ts, crash-child.ts) is imported directly, not from here.
 */
export { bootstrapFileName, readBootstrap, writeBootstrap } from './bootstrap-file.js';
export { defaultRaftServiceConfig, raftConfigFor, raftServiceConfigProblems, validateRaftServiceConfig, type RaftServiceConfig, type RaftTuning } from './config.js';
export { walDirOf } from './disk.js';
export type { ForwardedProposalSink, ForwardResult, ProposalForwarder } from './forwarder.js';
export { MemoryForwardHub } from './memory-forwarder.js';
export { RaftService } from './raft-service.js';
export { decodeForwardRequest, decodeForwardResult, proposeProtocol, RpcProposalForwarder, serveForwardedProposals, type ForwardRequest, type RpcCaller, type RpcServing } from './rpc-forwarder.js';
export type { StateMachine } from './state-machine.js';
export type { ConsensusStatus, Proposed, RaftServiceComponents, RaftServiceEvent, RaftServiceOptions } from './types.js';
export { defaultVoterPolicyConfig, nextVoterChange, validateVoterPolicyConfig, voterPolicyConfigProblems, type ManagerNode, type VoterChange, type VoterPolicyConfig, type VoterPolicyInput } from './voter-policy.js';
export { decodeRaftWire, raftProtocol, raftTransportConfig, raftWireVersion, toWire, type RaftWireMessage } from './wire.js';
