import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveUser } from './user-lookup.js';

const root = mkdtempSync(join(tmpdir(), 'swarmts-user-'));
mkdirSync(join(root, 'etc'));
writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\nweb:x:1000:1000::/home/web:/bin/sh\n');
writeFileSync(join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\nweb:x:1000:\nwww-data:x:33:web\naudio:x:29:web,nobody\n');

test('users and groups resolve by name and number against the image files', async () => {
  const cases: Array<[string | undefined, { uid: number; gid: number; additionalGids: number[] }]> = [
    [undefined, { uid: 0, gid: 0, additionalGids: [] }],
    ['nobody', { uid: 65534, gid: 65534, additionalGids: [29] }],
    ['web', { uid: 1000, gid: 1000, additionalGids: [33, 29] }],
    ['1000', { uid: 1000, gid: 1000, additionalGids: [33, 29] }],
    ['4242', { uid: 4242, gid: 0, additionalGids: [] }],
    ['4242:77', { uid: 4242, gid: 77, additionalGids: [] }],
    ['web:www-data', { uid: 1000, gid: 33, additionalGids: [29] }],
  ];
  for (const [user, expected] of cases) assert.equal(await resolveUser(root, user), expected, String(user));
});

test('unknown names are refused with the file they were looked up in', async () => {
  try {
    await resolveUser(root, 'ghost');
    assert.unreachable();
  } catch (err) {
    assert.match(String(err), /unable to find user ghost: no matching entries in the image's \/etc\/passwd/);
  }
  try {
    await resolveUser(root, 'web:ghosts');
    assert.unreachable();
  } catch (err) {
    assert.match(String(err), /unable to find group ghosts/);
  }
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
