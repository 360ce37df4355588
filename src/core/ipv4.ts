/** IPv4 addresses as unsigned 32-bit numbers, and CIDR blocks: the arithmetic of the cluster's address plan. */

export interface Ipv4Block {
  /** The block's first address. */
  base: number;
  prefix: number;
}

/** Four octets 0-255 without leading zeros ("010" reads as octal in some tools, decimal in others). */
const octet = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const dotted = new RegExp(`^${octet}\\.${octet}\\.${octet}\\.${octet}$`);

/** The number for "10.200.3.7", or undefined when the text is not a dotted IPv4 address. */
export function parseIpv4(text: string): number | undefined {
  const match = dotted.exec(text);
  if (match === null) return undefined;
  const octets = match.slice(1).map(Number);
  return ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
}

/** Whether `text` is a dotted IPv4 address ("10.0.0.5"). */
export function isIpv4(text: unknown): text is string {
  return typeof text === 'string' && parseIpv4(text) !== undefined;
}

export function formatIpv4(address: number): string {
  return [address >>> 24, (address >>> 16) & 255, (address >>> 8) & 255, address & 255].join('.');
}

/** The block for "10.200.0.0/16"; undefined when malformed or when the address has host bits set. */
export function parseIpv4Block(text: string): Ipv4Block | undefined {
  const [address, prefixText, extra] = text.split('/');
  if (extra !== undefined || prefixText === undefined || !/^\d{1,2}$/.test(prefixText)) return undefined;
  const base = parseIpv4(address!);
  const prefix = Number(prefixText);
  if (base === undefined || prefix > 32) return undefined;
  return (base & ~hostMask(prefix)) >>> 0 === base ? { base, prefix } : undefined;
}

export function formatIpv4Block(block: Ipv4Block): string {
  return `${formatIpv4(block.base)}/${block.prefix}`;
}

/** How many addresses the block holds. */
export function blockSize(block: Ipv4Block): number {
  return 2 ** (32 - block.prefix);
}

export function blockContains(block: Ipv4Block, address: number): boolean {
  return address >= block.base && address < block.base + blockSize(block);
}

/** The index-th sub-block of size `prefix` inside `block`. */
export function subBlock(block: Ipv4Block, prefix: number, index: number): Ipv4Block {
  return { base: block.base + index * 2 ** (32 - prefix), prefix };
}

function hostMask(prefix: number): number {
  return prefix === 0 ? 0xffffffff : (2 ** (32 - prefix) - 1) >>> 0;
}
