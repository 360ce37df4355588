import { readFile } from 'node:fs/promises';

/** One line of /proc/self/mountinfo, the parts swarmts looks at. */
export interface MountEntry {
  mountPoint: string;
  fsType: string;
  source: string;
  superOptions: string;
}

function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Parses mountinfo text (see proc(5)); lines it cannot read are skipped. */
export function parseMountInfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-');
    if (dash < 6 || fields.length < dash + 4) continue;
    out.push({ mountPoint: unescape(fields[4]!), fsType: fields[dash + 1]!, source: unescape(fields[dash + 2]!), superOptions: fields[dash + 3]! });
  }
  return out;
}

/** The mounts this process sees now. */
export async function currentMounts(): Promise<MountEntry[]> {
  return parseMountInfo(await readFile('/proc/self/mountinfo', 'utf8'));
}
