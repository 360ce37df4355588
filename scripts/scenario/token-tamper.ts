/**
 * Spoils one part of a join token for `join-expect-failure`. Tokens are read as
 * `PREFIX-VERSION-KEY-SECRET` (as Docker's `SWMTKN-1-<key>-<secret>`): the key is the
 * second-to-last dash-separated part, the secret the last.
 */

/** The token with one character of its key or secret changed, or an Error saying why not. */
export function tamperToken(token: string, part: 'key' | 'secret'): string | Error {
  const parts = token.trim().split('-');
  if (parts.length < 3 || parts.some((p) => p === '')) {
    return new Error(`join token ${JSON.stringify(token)}: expected PREFIX-VERSION-KEY-SECRET (dash-separated), so its ${part} cannot be spoiled`);
  }
  const index = part === 'secret' ? parts.length - 1 : parts.length - 2;
  const changed = changeOneCharacter(parts[index]!);
  if (changed === undefined) return new Error(`join token's ${part} ${JSON.stringify(parts[index])} has a single distinct character: nothing to swap in`);
  parts[index] = changed;
  return parts.join('-');
}

/**
 * Changes the middle character to another character of the same part, so that the result
 * stays in the part's alphabet (hex, base32, base58...) and is refused for its value, not
 * for its spelling. The middle, because a first or last character may carry a
 * multibase prefix or padding.
 */
function changeOneCharacter(text: string): string | undefined {
  const at = Math.floor(text.length / 2);
  const other = [...text].find((c) => c !== text[at]);
  return other === undefined ? undefined : text.slice(0, at) + other + text.slice(at + 1);
}
