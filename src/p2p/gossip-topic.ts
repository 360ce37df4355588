import './polyfill.js';
import type { GossipsubEvents } from '@chainsafe/libp2p-gossipsub';
import { TopicValidatorResult, type Message, type PubSub } from '@libp2p/interface';
import { SwarmError, errorMessage, isSwarmError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { decodeVersioned, encodeMessageBody, type Versioned } from './message-codec.js';

/**
 * One gossipsub topic carrying versioned msgpackr messages of one type (`{ v, ... }`).
 *
 * Delivery contract: gossipsub silently drops a message published before the publisher
 * knows a peer subscribes, and gossip is lossy anyway. `publish()` sends once;
 * `republish()` sends fresh copies (bounded) until the caller's condition holds. Each
 * copy is a new gossipsub message, so receivers may see one message more than once:
 * handlers must be idempotent. Callers that need every message also pull state over a
 * stream (anti-entropy).
 */

/** How a topic behaves. */
export interface GossipTopicConfig<T extends Versioned> {
  /** The gossipsub topic name, e.g. `/swarmts/membership/1`. No default. */
  topic: string;
  /** The message version this node speaks; other versions are rejected. No default. */
  version: number;
  /** Turns a decoded, version-checked map into a T; throws SwarmError MALFORMED_MESSAGE when it is not one. */
  decode: (value: Versioned & Record<string, unknown>) => T;
  /**
   * Whether gossip authored by `peerId` is accepted. Default: everyone in the private network.
   * Checked against the signed author, not the relaying peer, so members may relay for each other.
   */
  allowedSenders?: (peerId: string) => boolean;
  /** Largest encoded message, bytes. Default 1 MiB, gossipsub's own limit; bigger data belongs on a stream. */
  messageBytesMax: number;
}

/** Defaults for everything but the topic, its version and its decoder. */
export function defaultGossipTopicConfig<T extends Versioned>(required: Pick<GossipTopicConfig<T>, 'topic' | 'version' | 'decode'>): GossipTopicConfig<T> {
  return { ...required, messageBytesMax: 1024 * 1024 };
}

/** What a topic needs: the host's gossipsub service and a logger. */
export interface GossipTopicComponents {
  pubsub: PubSub<GossipsubEvents>;
  logger: Logger;
}

/** How `republish` repeats. */
export interface RepublishOptions {
  /** Stop once this holds (checked before each copy and after the last). */
  until: () => boolean;
  /** Milliseconds between copies. Default 250: a few gossipsub heartbeats, so a new subscription is known by the next copy. */
  intervalMs?: number;
  /** Most copies sent, the first included. Default 20: about 5 s of trying at the default interval. */
  attemptsMax?: number;
}

/** Counters, for logs, the dashboard and tests. */
export interface GossipTopicStats {
  published: number;
  delivered: number;
  rejectedMalformed: number;
  rejectedVersion: number;
  rejectedSender: number;
  rejectedTooLarge: number;
  handlerErrors: number;
}

/** A message handler: `from` is the signed author's peer id. */
export type GossipHandler<T> = (message: T, from: string) => void;

/**
 * A typed, validated gossipsub topic. `start()` subscribes and installs the validator
 * (malformed, oversize and wrong-version messages are rejected there, lowering the relay's
 * score; messages from disallowed senders are ignored; gossipsub forwards none of them);
 * `stop()` undoes both. Handlers run on gossipsub's event dispatch: keep
 * them short (queue the message); a throw is counted and logged, never propagated.
 */
export class GossipTopic<T extends Versioned> {
  private readonly handlers = new Set<GossipHandler<T>>();
  private readonly accepted = new WeakMap<Message, T>();
  private readonly counters: GossipTopicStats = {
    published: 0,
    delivered: 0,
    rejectedMalformed: 0,
    rejectedVersion: 0,
    rejectedSender: 0,
    rejectedTooLarge: 0,
    handlerErrors: 0,
  };
  private started = false;
  private subscribed = false;
  private readonly logger: Logger;
  private readonly onMessageEvent = (event: CustomEvent<Message>): void => this.deliver(event.detail);

  constructor(
    private readonly config: GossipTopicConfig<T>,
    private readonly components: GossipTopicComponents,
  ) {
    this.logger = components.logger.child(`gossip:${config.topic}`);
  }

  /**
   * With `publishOnly`, the node does not subscribe: it sends to the topic's subscribers (as
   * gossipsub fanout) but receives, relays and verifies nothing of it.
   */
  start(options: { publishOnly?: boolean } = {}): void {
    if (this.started) return;
    this.started = true;
    this.subscribed = options.publishOnly !== true;
    const pubsub = this.components.pubsub;
    pubsub.topicValidators.set(this.config.topic, (_source, message) => this.validate(message));
    pubsub.addEventListener('message', this.onMessageEvent);
    if (this.subscribed) pubsub.subscribe(this.config.topic);
  }

  stop(): void {
    if (!this.started) return;
    this.started = false;
    const pubsub = this.components.pubsub;
    if (this.subscribed) pubsub.unsubscribe(this.config.topic);
    pubsub.removeEventListener('message', this.onMessageEvent);
    pubsub.topicValidators.delete(this.config.topic);
  }

  /** Calls `handler` for every accepted message until the returned function is called. */
  subscribe(handler: GossipHandler<T>): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /** Peers known to subscribe to this topic right now. */
  subscribers(): string[] {
    return this.components.pubsub.getSubscribers(this.config.topic).map((peer) => peer.toString());
  }

  stats(): GossipTopicStats {
    return { ...this.counters };
  }

  /**
   * Publishes one copy and returns the peers it was handed to (possibly none: see the
   * delivery contract). FRAME_TOO_LARGE over `messageBytesMax`; UNAVAILABLE when stopped
   * or when gossipsub refuses.
   */
  async publish(message: T): Promise<string[]> {
    if (!this.started) throw new SwarmError('UNAVAILABLE', `gossip topic ${this.config.topic} is not started`);
    const data = encodeMessageBody(message, this.config.messageBytesMax);
    let result;
    try {
      result = await this.components.pubsub.publish(this.config.topic, data);
    } catch (err) {
      throw new SwarmError('UNAVAILABLE', `publish on ${this.config.topic}: ${errorMessage(err)}`, { cause: err });
    }
    this.counters.published++;
    return result.recipients.map((peer) => peer.toString());
  }

  /**
   * Publishes copies every `intervalMs` until `until()` holds, at most `attemptsMax`, and
   * returns whether it held. A failed copy is logged and the next one tried; only a message
   * that can never be sent (FRAME_TOO_LARGE) throws. Ends early when the topic stops.
   */
  async republish(message: T, options: RepublishOptions): Promise<boolean> {
    const intervalMs = options.intervalMs ?? 250;
    const attemptsMax = options.attemptsMax ?? 20;
    for (let attempt = 0; attempt < attemptsMax && this.started; attempt++) {
      if (options.until()) return true;
      try {
        await this.publish(message);
      } catch (err) {
        if (isSwarmError(err, 'FRAME_TOO_LARGE')) throw err;
        this.logger.debug('republish copy failed', { attempt, error: errorMessage(err) });
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
    return options.until();
  }

  /** gossipsub's validation hook: decides, counts, and keeps accepted messages for `deliver`. */
  private validate(message: Message): TopicValidatorResult {
    if (message.type !== 'signed') {
      this.counters.rejectedSender++;
      return TopicValidatorResult.Reject;
    }
    const from = message.from.toString();
    if (this.config.allowedSenders !== undefined && !this.config.allowedSenders(from)) {
      // Ignored, not rejected: membership views converge over time, so the relay, or a node
      // that joined a moment ago, is not misbehaving and must not lose gossipsub score.
      this.counters.rejectedSender++;
      this.logger.debug('dropped gossip from a disallowed sender', { from });
      return TopicValidatorResult.Ignore;
    }
    try {
      const value = decodeVersioned(message.data, this.config.version, `gossip ${this.config.topic}`, this.config.messageBytesMax);
      this.accepted.set(message, this.config.decode(value));
      return TopicValidatorResult.Accept;
    } catch (err) {
      if (isSwarmError(err, 'UNSUPPORTED_VERSION')) this.counters.rejectedVersion++;
      else if (isSwarmError(err, 'FRAME_TOO_LARGE')) this.counters.rejectedTooLarge++;
      else this.counters.rejectedMalformed++;
      this.logger.debug('rejected gossip', { from, error: errorMessage(err) });
      return TopicValidatorResult.Reject;
    }
  }

  private deliver(message: Message): void {
    if (message.topic !== this.config.topic || message.type !== 'signed') return;
    const value = this.accepted.get(message);
    if (value === undefined) return;
    this.accepted.delete(message);
    this.counters.delivered++;
    const from = message.from.toString();
    for (const handler of this.handlers) {
      try {
        handler(value, from);
      } catch (err) {
        this.counters.handlerErrors++;
        this.logger.error('gossip handler failed', { from, error: errorMessage(err) });
      }
    }
  }
}
