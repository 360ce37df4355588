import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SwarmError } from '../core/errors.js';

/** A resolved user: what the OCI spec's process.user takes. */
export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
}

/**
 * Resolves `user`, `uid`, `user:group`, `uid:gid` against the container's own /etc/passwd
 * and /etc/group, as Docker does: names must exist there, numbers need not.
 */
export async function resolveUser(rootfs: string, user: string | undefined): Promise<ResolvedUser> {
  const [userPart = '', groupPart] = (user ?? '').split(':', 2) as [string?, string?];
  const passwd = await readColonFile(join(rootfs, 'etc/passwd'));
  const groups = await readColonFile(join(rootfs, 'etc/group'));
  let uid = 0;
  let gid = 0;
  let userName: string | undefined = 'root';
  if (userPart !== '') {
    const entry = /^\d+$/.test(userPart) ? passwd.find((p) => p[2] === userPart) : passwd.find((p) => p[0] === userPart);
    if (!entry && !/^\d+$/.test(userPart)) {
      throw new SwarmError('INVALID_ARGUMENT', `unable to find user ${userPart}: no matching entries in the image's /etc/passwd`);
    }
    uid = entry ? Number(entry[2]) : Number(userPart);
    gid = entry ? Number(entry[3]) : 0;
    userName = entry?.[0];
  }
  if (groupPart !== undefined && groupPart !== '') {
    const entry = /^\d+$/.test(groupPart) ? undefined : groups.find((g) => g[0] === groupPart);
    if (!entry && !/^\d+$/.test(groupPart)) throw new SwarmError('INVALID_ARGUMENT', `unable to find group ${groupPart}: no matching entries in the image's /etc/group`);
    gid = entry ? Number(entry[2]) : Number(groupPart);
  }
  const additionalGids = userName === undefined ? [] : groups
    .filter((g) => (g[3] ?? '').split(',').includes(userName!))
    .map((g) => Number(g[2]))
    .filter((g) => Number.isInteger(g) && g !== gid);
  return { uid, gid, additionalGids };
}

async function readColonFile(path: string): Promise<string[][]> {
  try {
    return (await readFile(path, 'utf8')).split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(':'));
  } catch {
    return [];
  }
}
