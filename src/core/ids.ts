import { randomBytes } from 'node:crypto';
import type { Random } from './random.js';

/** A new random 64-hex-character id (256 bits), like Docker's container ids. */
export function newId(): string {
  return randomBytes(32).toString('hex');
}

/** A new random 25-character lowercase id, like Swarm's service and task ids. */
export function newObjectId(): string {
  return [...randomBytes(25)].map((byte) => (byte % 36).toString(36)).join('');
}

/** A deterministic 25-character lowercase id from a seeded Random: for simulations. */
export function seededId(random: Random): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz';
  let id = '';
  for (let i = 0; i < 25; i++) id += alphabet[random.int(alphabet.length)];
  return id;
}

/** The 12-character prefix people see in tables. */
export function shortId(id: string): string {
  return id.slice(0, 12);
}

const namePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;

/** Whether `name` is a valid container, service or node name (Docker's rule, 63 chars max). */
export function isValidName(name: string): boolean {
  return namePattern.test(name);
}
