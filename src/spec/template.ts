/**
 * Swarm's service templates: `{{.Node.Hostname}}`, `{{.Task.Slot}}` and friends, allowed
 * in hostname, environment values and mount sources. The parser only validates them; the
 * agent expands them per task with `expandTemplate`.
 */

/** What a template can refer to, known once a task is placed on a node. */
export interface TemplateContext {
  nodeId: string;
  nodeHostname: string;
  serviceId: string;
  serviceName: string;
  taskId: string;
  taskName: string;
  taskSlot: number;
}

const fields: Record<string, (ctx: TemplateContext) => string> = {
  '.Node.ID': (ctx) => ctx.nodeId,
  '.Node.Hostname': (ctx) => ctx.nodeHostname,
  '.Service.ID': (ctx) => ctx.serviceId,
  '.Service.Name': (ctx) => ctx.serviceName,
  '.Task.ID': (ctx) => ctx.taskId,
  '.Task.Name': (ctx) => ctx.taskName,
  '.Task.Slot': (ctx) => String(ctx.taskSlot),
};

/** The template fields we support, for error messages and docs. */
export const templateFields = Object.keys(fields);

/** Why `text` is not a valid template, or undefined when it is (plain text included). */
export function templateError(text: string): string | undefined {
  let at = 0;
  for (;;) {
    const open = text.indexOf('{{', at);
    if (open < 0) return undefined;
    const close = text.indexOf('}}', open + 2);
    if (close < 0) return `unclosed "{{" in template "${text}"`;
    const field = text.slice(open + 2, close).trim();
    if (fields[field] === undefined) return `unknown template "{{${text.slice(open + 2, close)}}}", expected one of ${templateFields.map((f) => `{{${f}}}`).join(', ')}`;
    at = close + 2;
  }
}

/** Expands the templates in `text`. Throws an Error on an invalid template (see templateError). */
export function expandTemplate(text: string, ctx: TemplateContext): string {
  const problem = templateError(text);
  if (problem !== undefined) throw new Error(problem);
  return text.replace(/\{\{(.*?)\}\}/g, (_, field: string) => fields[field.trim()]!(ctx));
}
