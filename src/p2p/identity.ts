import './polyfill.js';
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SwarmError, errorMessage } from '../core/errors.js';

/**
 * The host's persistent Ed25519 identity: its private key in libp2p's protobuf encoding,
 * in a file only the owner can read (mode 0600). The peer id derives from the key, so a
 * node keeps its id, and its place in the cluster, across restarts.
 */

/** The identity file's permission bits: owner read/write only. */
export const identityFileMode = 0o600;

/** Largest identity file read: an Ed25519 protobuf is 68 bytes; this leaves room for any key type. */
const identityFileBytesMax = 8 * 1024;

/**
 * Loads the key at `path`, or creates one there on first start. A file readable by group
 * or others is refused (PERMISSION_DENIED), as ssh refuses a private key with loose modes;
 * an unreadable key is CORRUPT_DATA rather than silently replaced, since replacing it would
 * give the node a new identity.
 */
export async function loadOrCreateIdentity(path: string): Promise<PrivateKey> {
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw new SwarmError('IO_ERROR', `identity file ${path}: ${errorMessage(err)}`, { cause: err });
  });
  if (info === undefined) return createIdentity(path);
  if ((info.mode & 0o077) !== 0) {
    const mode = (info.mode & 0o777).toString(8).padStart(4, '0');
    throw new SwarmError('PERMISSION_DENIED', `identity file ${path} has mode ${mode}; expected 0600 (run: chmod 600 ${path})`);
  }
  if (info.size > identityFileBytesMax) {
    throw new SwarmError('CORRUPT_DATA', `identity file ${path}: ${info.size} bytes, expected at most ${identityFileBytesMax}`);
  }
  const bytes = await readFile(path);
  try {
    return asLibp2pKey(privateKeyFromProtobuf(bytes));
  } catch (err) {
    throw new SwarmError('CORRUPT_DATA', `identity file ${path}: not a libp2p private key (${errorMessage(err)})`, { cause: err });
  }
}

/** A fresh Ed25519 key, typed for libp2p: for tests and tools that need a peer id nobody has. */
export async function generateIdentity(): Promise<PrivateKey> {
  return asLibp2pKey(await generateKeyPair('Ed25519'));
}

/** Writes a new key to a temporary file with mode 0600, syncs it, then renames it into place. */
async function createIdentity(path: string): Promise<PrivateKey> {
  const key = await generateKeyPair('Ed25519');
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporaryPath = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const file = await open(temporaryPath, 'wx', identityFileMode);
    try {
      await file.writeFile(privateKeyToProtobuf(key));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporaryPath, path);
  } catch (err) {
    await unlink(temporaryPath).catch(() => undefined);
    throw new SwarmError('IO_ERROR', `identity file ${path}: cannot create (${errorMessage(err)})`, { cause: err });
  }
  return asLibp2pKey(key);
}

/**
 * @libp2p/crypto 5.1.23 declares its keys with @libp2p/interface 3 while libp2p 2.10 takes
 * @libp2p/interface 2 keys. The runtime objects are the same (libp2p 2.10 itself uses this
 * @libp2p/crypto); only the nominal declaration types differ, so the cast is confined here.
 */
function asLibp2pKey(key: unknown): PrivateKey {
  return key as PrivateKey;
}
