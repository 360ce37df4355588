import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { checkVersion, type Versioned } from './message-codec.js';
import type { TransportConfig, TransportStats } from './transport.js';

/**
 * The receiving half both transports share: version check, `decode`, counting and handler
 * dispatch, so the in-memory twin judges messages exactly as the libp2p transport does.
 */
export class TransportReceiver<M extends Versioned> {
  private readonly handlers = new Set<(from: string, message: M) => void>();

  constructor(
    private readonly config: TransportConfig<M>,
    private readonly counters: TransportStats,
    private readonly logger: Logger,
  ) {}

  onMessage(handler: (from: string, message: M) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /** Judges one decoded frame from `from` and delivers it if it passes. Never throws. */
  accept(from: string, value: unknown): void {
    let message: M;
    try {
      message = this.config.decode(checkVersion(value, this.config.version, `${this.config.protocol} from ${from}`));
    } catch (err) {
      this.counters.rejected++;
      this.logger.debug('rejected message', { from, error: errorMessage(err) });
      return;
    }
    this.counters.received++;
    for (const handler of this.handlers) {
      try {
        handler(from, message);
      } catch (err) {
        this.logger.error('transport handler failed', { from, error: errorMessage(err) });
      }
    }
  }

  /** Counts a stream whose framing broke (every message on it is lost). */
  rejectStream(from: string, err: unknown): void {
    this.counters.rejected++;
    this.logger.debug('rejected stream', { from, error: errorMessage(err) });
  }
}
