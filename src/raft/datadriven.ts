/**
 * The datadriven script format of etcd's interaction tests: each case is an optional run
 * of `#` comment lines, a command line, a `----` line, then the expected output up to the
 * next blank line. Outputs never contain blank lines (the printers guarantee it).
 */

/** One command of a script with the output recorded for it. */
export interface ScriptCase {
  comments: string[];
  command: string;
  /** 1-based line of the command, for failure messages. */
  line: number;
  expected: string;
}

/** Splits a script into cases; a command without its `----` line is reported with its line. */
export function parseScript(text: string): ScriptCase[] {
  const lines = text.split('\n');
  const cases: ScriptCase[] = [];
  let comments: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '') {
      i++;
      continue;
    }
    if (line.startsWith('#')) {
      comments.push(line);
      i++;
      continue;
    }
    if (lines[i + 1] !== '----') throw new Error(`line ${i + 1}: expected "----" after command "${line}"`);
    const out: string[] = [];
    let j = i + 2;
    while (j < lines.length && lines[j] !== '') out.push(lines[j++]!);
    cases.push({ comments, command: line, line: i + 1, expected: out.join('\n') });
    comments = [];
    i = j;
  }
  return cases;
}

/** Writes cases back in the same format, with `outputs` in place of what was expected. */
export function renderScript(cases: ScriptCase[], outputs: string[]): string {
  return cases
    .map((c, i) => [...c.comments, c.command, '----', outputs[i]!].join('\n'))
    .join('\n\n') + '\n';
}

/** A parsed command line: `name pos1 pos2 key=value key=(a,b)`. */
export interface Command {
  name: string;
  args: string[];
  options: Map<string, string>;
}

/** Parses a command line; `key=(a,b)` keeps its parentheses for listOption(). */
export function parseCommand(line: string): Command {
  const tokens = line.trim().split(/\s+/);
  const options = new Map<string, string>();
  const args: string[] = [];
  for (const token of tokens.slice(1)) {
    const eq = token.indexOf('=');
    if (eq > 0) options.set(token.slice(0, eq), token.slice(eq + 1));
    else args.push(token);
  }
  return { name: tokens[0]!, args, options };
}

/** `(1,2,3)` or `1` as a list; `()` is empty. */
export function listOption(value: string | undefined): string[] {
  if (value === undefined) return [];
  const inner = value.replace(/^\(/, '').replace(/\)$/, '');
  return inner === '' ? [] : inner.split(',');
}
