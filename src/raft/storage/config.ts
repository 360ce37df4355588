import { SwarmError } from '../../core/errors.js';

/** How the write-ahead log lays out its files. */
export interface WalConfig {
  /**
   * A segment file is closed and a new one started once it reaches this size, in bytes.
   * Default 64 MiB: big enough that rotation (two fsyncs) is rare, small enough that a
   * snapshot releases disk space in useful steps.
   */
  segmentBytesMax: number;
  /**
   * Largest record (one `save()` batch, or a snapshot file body), in bytes. A longer
   * length read from disk is corruption, not a reason to allocate. Default 256 MiB.
   */
  recordBytesMax: number;
  /**
   * Snapshot files kept, the newest included: older ones let an operator roll back by hand
   * after a bad snapshot. Default 2; at least 1.
   */
  snapshotsKept: number;
}

/** The defaults documented on each field. */
export function defaultWalConfig(): WalConfig {
  return { segmentBytesMax: 64 * 1024 * 1024, recordBytesMax: 256 * 1024 * 1024, snapshotsKept: 2 };
}

/** Throws INVALID_CONFIG naming the first bad field. */
export function validateWalConfig(config: WalConfig): void {
  const positive = (field: keyof WalConfig, min: number): void => {
    const value = config[field];
    if (!Number.isInteger(value) || value < min) {
      throw new SwarmError('INVALID_CONFIG', `WalConfig.${field}: expected an integer >= ${min}, got ${String(value)}`);
    }
  };
  positive('segmentBytesMax', 1);
  positive('recordBytesMax', 64);
  positive('snapshotsKept', 1);
}
