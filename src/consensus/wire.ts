import { validateMessage } from '../raft/validate-message.js';
import type { Message } from '../raft/types.js';
import { defaultTransportConfig, type TransportConfig } from '../p2p/transport.js';
import type { Versioned } from '../p2p/message-codec.js';

/** The libp2p protocol raft messages travel on (and the MemoryNetwork channel in tests). */
export const raftProtocol = '/swarmts/raft/1';

/** The raft wire format's version: a message with another `v` is rejected by the transport. */
export const raftWireVersion = 1;

/** One raft message on the wire. The raft message is wrapped, not spread, so `v` never reaches raft. */
export interface RaftWireMessage extends Versioned {
  v: typeof raftWireVersion;
  msg: Message;
}

/** Wraps a raft message for the transport. */
export function toWire(msg: Message): RaftWireMessage {
  return { v: raftWireVersion, msg };
}

/** The transport's `decode`: the version is checked already; the message is checked with raft's validator. */
export function decodeRaftWire(value: Versioned & Record<string, unknown>): RaftWireMessage {
  return { v: raftWireVersion, msg: validateMessage(value['msg']) };
}

/**
 * Transport settings for raft. Messages may be up to 4 MiB (the framing limit): an append
 * batch is bounded far below by raft.maxSizePerMsgBytes, but a snapshot travels whole in
 * one message, so the state machine's snapshot must stay under this size until snapshots
 * are streamed over RPC.
 */
export function raftTransportConfig(): TransportConfig<RaftWireMessage> {
  return { ...defaultTransportConfig<RaftWireMessage>({ protocol: raftProtocol, version: raftWireVersion, decode: decodeRaftWire }), messageBytesMax: 4 * 1024 * 1024 };
}
