/**
 * Name rules. Services and stacks become DNS names inside the cluster (`web.mystack`),
 * so they follow DNS label rules; networks and volumes follow Docker's object names.
 */

/** Docker's limit on a service name, which is `${stack}_${service}`. */
export const serviceFullNameLengthMax = 63;

const dnsLabel = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const objectName = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** Why `name` is not a DNS label, or undefined when it is. */
export function dnsLabelError(name: string): string | undefined {
  if (dnsLabel.test(name)) return undefined;
  return `expected a DNS label (lowercase letters, digits and hyphens, at most 63, starting and ending with a letter or digit), got "${name}"`;
}

/** Whether `name` is a valid Docker network or volume name. */
export function isObjectName(name: string): boolean {
  return objectName.test(name);
}

/** The name a service of a stack has in the cluster. */
export function serviceFullName(stack: string, service: string): string {
  return `${stack}_${service}`;
}

const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const pathComponent = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const imageReference = new RegExp(
  `^(?:${domainComponent}(?:\\.${domainComponent})*(?::[0-9]+)?/)?${pathComponent}(?:/${pathComponent})*` +
    '(?::[\\w][\\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$',
);

/**
 * Whether `text` is a Docker image reference: [registry[:port]/]path[:tag][@digest], the
 * path in lowercase (distribution's grammar). A registry host is told apart from the first
 * path part by the pull code, not here: both shapes are valid references.
 */
export function isImageReference(text: string): boolean {
  return imageReference.test(text);
}
