import type { ServiceSummary, TaskSummary } from '../daemon/api-orchestration.js';
import { serviceTable, taskTable } from './orchestration-tables.js';

/** How a listing command prints: `--format json`, `-q` (ids only) or a table. */
export interface ListingOptions {
  quiet?: boolean;
  format: string;
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

function printListing<T extends { id: string }>(items: T[], opts: ListingOptions, asTable: (items: T[]) => string): void {
  if (opts.format === 'json') return printJson(items);
  if (opts.quiet) return void process.stdout.write(items.map((item) => `${item.id}\n`).join(''));
  process.stdout.write(asTable(items) + '\n');
}

/** `service ls`, `stack services`. */
export function printServices(services: ServiceSummary[], opts: ListingOptions): void {
  printListing(services, opts, serviceTable);
}

/** `service ps`, `stack ps`; `trunc` false keeps long errors whole (`--no-trunc`). */
export function printTasks(tasks: TaskSummary[], opts: ListingOptions & { trunc: boolean }): void {
  printListing(tasks, opts, (items) => taskTable(items, Date.now(), { truncateErrors: opts.trunc }));
}
