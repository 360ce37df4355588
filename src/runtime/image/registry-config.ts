import { SwarmError } from '../../core/errors.js';
import type { Platform } from './manifest.js';
import { hostPlatform } from './platform.js';
import type { RegistryCredentials } from './registry-auth.js';

/** How this node talks to registries. */
export interface RegistryConfig {
  /** Registries (`host[:port]`) reached over plain HTTP. Loopback hosts always are. Default none. */
  insecureRegistries: string[];
  /** Credentials per registry `host[:port]`. Default none (anonymous). */
  credentials: Record<string, RegistryCredentials>;
  /** Layer blobs downloaded at once per pull. Default 3: enough to fill a link, few enough not to starve other pulls. */
  layerDownloadsMax: number;
  /** How long to wait for a registry's response headers, in ms. Default 30 000; bodies may take longer. */
  responseTimeoutMs: number;
  /** Platform chosen from manifest lists. Default this machine's (linux/amd64 here). */
  platform: Platform;
}

export function defaultRegistryConfig(): RegistryConfig {
  return { insecureRegistries: [], credentials: {}, layerDownloadsMax: 3, responseTimeoutMs: 30_000, platform: hostPlatform() };
}

/** INVALID_CONFIG listing every bad field at once. */
export function validateRegistryConfig(config: RegistryConfig): RegistryConfig {
  const problems: string[] = [];
  if (!Array.isArray(config.insecureRegistries) || !config.insecureRegistries.every((h) => typeof h === 'string' && h.length > 0)) problems.push('insecureRegistries: expected an array of "host[:port]" strings');
  for (const [host, c] of Object.entries(config.credentials ?? {})) {
    if (typeof c?.username !== 'string' || typeof c?.password !== 'string') problems.push(`credentials.${host}: expected {username, password} strings`);
  }
  if (!Number.isInteger(config.layerDownloadsMax) || config.layerDownloadsMax < 1 || config.layerDownloadsMax > 32) problems.push(`layerDownloadsMax: expected an integer in 1..32, got ${config.layerDownloadsMax}`);
  if (!(config.responseTimeoutMs > 0)) problems.push(`responseTimeoutMs: expected a positive number of ms, got ${config.responseTimeoutMs}`);
  if (typeof config.platform?.os !== 'string' || typeof config.platform?.architecture !== 'string') problems.push('platform: expected {os, architecture, variant?}');
  if (problems.length > 0) throw new SwarmError('INVALID_CONFIG', `registry config: ${problems.join('; ')}`, { details: { problems } });
  return config;
}
