/** Where swarmts-dns, the native UDP front of the DNS server, is: beside swarmts-runtime and swarmts-monitor. */
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { SwarmError } from '../core/errors.js';
import { nativeBinaryDir } from '../runtime/oci/native-binaries.js';

/** The path swarmts-dns is looked for at: SWARMTS_RUNTIME_DIR, else the checkout's C build. */
export function nativeUdpFrontPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(nativeBinaryDir(env), 'swarmts-dns');
}

/** True when swarmts-dns is built and executable. */
export function nativeUdpFrontBuilt(env: NodeJS.ProcessEnv = process.env): boolean {
  try {
    accessSync(nativeUdpFrontPath(env), constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The path of swarmts-dns, or NOT_FOUND saying how to build it or do without. */
export function requireNativeUdpFront(env: NodeJS.ProcessEnv = process.env): string {
  if (nativeUdpFrontBuilt(env)) return nativeUdpFrontPath(env);
  throw new SwarmError('NOT_FOUND', `swarmts-dns is not built (looked for ${nativeUdpFrontPath(env)}): ` +
    'run `bash scripts/build-native.sh`, or set the DNS server\'s udpFrontend to "node"');
}
