/**
 * Compose variable interpolation: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?message}`, `${VAR?message}`, `${VAR:+alt}`, `${VAR+alt}`, and `$$` for a literal
 * `$`. Defaults may nest further interpolations. Throws an Error saying what is wrong.
 */

/** Looks a variable up; undefined when it is not set at all (set-but-empty is ''). */
export type VariableLookup = (name: string) => string | undefined;

/** The interpolated text and the variables it used that were not set (they became ''). */
export interface Interpolated {
  value: string;
  unset: string[];
}

const namePattern = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Interpolates `text`; see the module comment for the syntax. */
export function interpolate(text: string, lookup: VariableLookup): Interpolated {
  const unset: string[] = [];
  const value = expand(text, lookup, unset);
  return { value, unset };
}

function expand(text: string, lookup: VariableLookup, unset: string[]): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const at = text.indexOf('$', i);
    if (at < 0) return out + text.slice(i);
    out += text.slice(i, at);
    const next = text[at + 1];
    if (next === '$') {
      out += '$';
      i = at + 2;
    } else if (next === '{') {
      const close = matchingBrace(text, at + 2);
      if (close < 0) throw new Error(`unclosed "\${" in "${text}"`);
      out += expandBraced(text.slice(at + 2, close), lookup, unset);
      i = close + 1;
    } else {
      const name = namePattern.exec(text.slice(at + 1))?.[0];
      if (name === undefined) throw new Error(`invalid interpolation in "${text}": write $$ for a literal $`);
      out += variable(name, lookup, unset);
      i = at + 1 + name.length;
    }
  }
  return out;
}

/** Index of the `}` closing a `${` whose body starts at `from`, counting nested `${`. */
function matchingBrace(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '$' && text[i + 1] === '{') {
      depth++;
      i++;
    } else if (text[i] === '}' && --depth === 0) {
      return i;
    }
  }
  return -1;
}

function variable(name: string, lookup: VariableLookup, unset: string[]): string {
  const value = lookup(name);
  if (value === undefined) {
    if (!unset.includes(name)) unset.push(name);
    return '';
  }
  return value;
}

function expandBraced(body: string, lookup: VariableLookup, unset: string[]): string {
  const name = namePattern.exec(body)?.[0];
  if (name === undefined) throw new Error(`invalid interpolation "\${${body}}": expected a variable name`);
  const rest = body.slice(name.length);
  if (rest === '') return variable(name, lookup, unset);
  const op = /^(:?[-?+])/.exec(rest)?.[1];
  if (op === undefined) throw new Error(`invalid interpolation "\${${body}}": expected :-, -, :?, ?, :+ or + after ${name}`);
  const arg = rest.slice(op.length);
  const value = lookup(name);
  const missing = op.startsWith(':') ? value === undefined || value === '' : value === undefined;
  switch (op.replace(':', '')) {
    case '-':
      return missing ? expand(arg, lookup, unset) : value!;
    case '?':
      if (missing) throw new Error(`required variable ${name} is ${value === undefined ? 'not set' : 'empty'}${arg === '' ? '' : `: ${expand(arg, lookup, unset)}`}`);
      return value!;
    default:
      return missing ? '' : expand(arg, lookup, unset);
  }
}
