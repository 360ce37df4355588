/** Whether any of `fields` contains the `/` filter text, ignoring case; an empty filter matches all. */
export function matchesFilter(filter: string, ...fields: Array<string | undefined>): boolean {
  if (filter === '') return true;
  const needle = filter.toLowerCase();
  return fields.some((field) => field !== undefined && field.toLowerCase().includes(needle));
}
