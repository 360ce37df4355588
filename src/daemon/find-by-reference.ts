import { SwarmError } from '../core/errors.js';

/**
 * The one item `reference` names, as docker resolves references: an exact id or name
 * (`names` gives an item's), else a unique id prefix. NOT_FOUND pointing at `listCommand`,
 * or CONFLICT when a prefix matches several.
 */
export function findByReference<T>(what: string, reference: string, items: readonly T[], id: (item: T) => string, names: (item: T) => string[], listCommand: string): T {
  const exact = items.filter((item) => id(item) === reference || names(item).includes(reference));
  const matches = exact.length > 0 ? exact : items.filter((item) => id(item).startsWith(reference));
  if (matches.length === 0) throw new SwarmError('NOT_FOUND', `no ${what} ${JSON.stringify(reference)} in this cluster: see \`${listCommand}\``);
  if (matches.length > 1) throw new SwarmError('CONFLICT', `${JSON.stringify(reference)} matches ${matches.length} ${what}s: use a longer id prefix or the full name`);
  return matches[0]!;
}
