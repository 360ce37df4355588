import type { SourcePos } from './yaml-tree.js';

/** One thing wrong in a stack file: where, under which key path, and what. */
export interface StackProblem {
  file: string;
  line: number;
  column: number;
  /** Dotted key path such as services.web.deploy.replicas; list items as ports[0]. */
  path: string;
  message: string;
}

/** `stack.yml:12:5 services.web.deploy.replicas: expected ..., got ...`. */
export function formatProblem(problem: StackProblem): string {
  const where = `${problem.file}:${problem.line}:${problem.column}`;
  return problem.path === '' ? `${where} ${problem.message}` : `${where} ${problem.path}: ${problem.message}`;
}

/**
 * Collects every error and warning while a stack file is validated, so the user sees all
 * problems at once. Validators report and carry on with a best guess rather than throwing.
 */
export class Reporter {
  readonly problems: StackProblem[] = [];
  readonly warnings: StackProblem[] = [];
  private readonly settled = new Set<string>();

  constructor(readonly file: string) {}

  error(pos: SourcePos, path: string, message: string): void {
    if (this.settled.has(`${pos.line}:${pos.column}`)) return;
    this.problems.push({ file: this.file, line: pos.line, column: pos.column, path, message });
  }

  /**
   * Reports a problem that makes the value at `pos` meaningless, and silences later
   * errors there: a failed interpolation should not also be called a bad image name.
   */
  fatal(pos: SourcePos, path: string, message: string): void {
    this.error(pos, path, message);
    this.settled.add(`${pos.line}:${pos.column}`);
  }

  warn(pos: SourcePos, path: string, message: string): void {
    this.warnings.push({ file: this.file, line: pos.line, column: pos.column, path, message });
  }
}

/**
 * Problems grouped by file (in the order each file first appears, so `.env`, which is read
 * first, comes before the stack file), then in line order. The sort is stable, so one
 * spot's problems keep their order.
 */
export function sortProblems(problems: StackProblem[]): StackProblem[] {
  const files = [...new Set(problems.map((p) => p.file))];
  return [...problems].sort((a, b) => files.indexOf(a.file) - files.indexOf(b.file) || a.line - b.line || a.column - b.column);
}
