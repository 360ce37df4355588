import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from '../../core/errors.js';
import { familiarReference, normalizeReference, parseReference } from './reference.js';

const digest = `sha256:${'ab'.repeat(32)}`;

test('references normalise the way Docker does', () => {
  const cases: [string, string][] = [
    ['busybox', 'docker.io/library/busybox:latest'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36'],
    ['library/busybox', 'docker.io/library/busybox:latest'],
    ['someone/app:v1', 'docker.io/someone/app:v1'],
    ['index.docker.io/library/busybox', 'docker.io/library/busybox:latest'],
    ['127.0.0.1:5000/busybox', '127.0.0.1:5000/busybox:latest'],
    ['localhost/web:2', 'localhost/web:2'],
    ['localhost:5000/a/b/c:x', 'localhost:5000/a/b/c:x'],
    ['registry.example.com/team/app_x.y-z', 'registry.example.com/team/app_x.y-z:latest'],
    [`busybox@${digest}`, `docker.io/library/busybox@${digest}`],
    [`127.0.0.1:5000/busybox:1@${digest}`, `127.0.0.1:5000/busybox:1@${digest}`],
    ['[::1]:5000/web', '[::1]:5000/web:latest'],
  ];
  for (const [input, expected] of cases) assert.is(normalizeReference(input), expected, input);
});

test('familiar names drop docker.io/library/ but keep other registries', () => {
  assert.is(familiarReference(parseReference('busybox')), 'busybox:latest');
  assert.is(familiarReference(parseReference('someone/app:v1')), 'someone/app:v1');
  assert.is(familiarReference(parseReference('127.0.0.1:5000/busybox')), '127.0.0.1:5000/busybox:latest');
});

test('bad references are INVALID_ARGUMENT naming the wrong part', () => {
  const cases: [string, RegExp][] = [
    ['', /empty/],
    ['BusyBox', /lowercase/],
    ['busybox:', /tag ""/],
    ['busybox:-x', /tag "-x"/],
    ['busybox:' + 'a'.repeat(129), /tag/],
    ['busybox@sha256:1234', /sha256:<64 lowercase hex>/],
    ['busybox@md5:' + 'a'.repeat(32), /sha256/],
    ['a//b', /component ""/],
    ['127.0.0.1:5000/', /missing/],
    ['web/../etc', /component "\.\."/],
    ['bad_host!:5000/x', /component|host/],
    ['x/' + 'a'.repeat(300), /longer than 255/],
  ];
  for (const [input, message] of cases) {
    try {
      parseReference(input);
      assert.unreachable(`${input} should be refused`);
    } catch (err) {
      assert.ok(isSwarmError(err, 'INVALID_ARGUMENT'), `${input}: ${String(err)}`);
      assert.match((err as Error).message, message, input);
    }
  }
});

test('a tag is kept beside a digest and latest is not added to digest references', () => {
  const withBoth = parseReference(`127.0.0.1:5000/busybox:1@${digest}`);
  assert.equal([withBoth.tag, withBoth.digest], ['1', digest]);
  assert.is(parseReference(`busybox@${digest}`).tag, undefined);
});

test.run();
