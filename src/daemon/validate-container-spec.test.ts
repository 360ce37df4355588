import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from '../core/errors.js';
import { validateContainerSpec } from './validate-container-spec.js';

test('a minimal spec gets defaults for everything optional', () => {
  assert.equal(validateContainerSpec({ image: 'busybox' }), {
    image: 'busybox', env: [], labels: {}, network: { mode: 'none' }, mounts: [], readOnlyRootfs: false, resources: {},
  });
});

test('a full spec is kept', () => {
  const spec = {
    image: 'busybox', name: 'web', command: ['httpd', '-f'], entrypoint: ['/bin/sh', '-c'], env: ['A=1'], labels: { a: 'b' },
    network: { mode: 'host' }, mounts: [{ type: 'bind', source: '/srv', target: '/data', readOnly: true }], readOnlyRootfs: true,
    resources: { memoryBytes: 1 << 26, nanoCpus: 5e8, pidsLimit: 64 }, workingDir: '/tmp', user: '65534', hostname: 'h', stopSignal: 'SIGINT', stopTimeoutMs: 2000,
  };
  assert.equal(validateContainerSpec(spec), spec);
});

test('every problem is reported at once, naming the field', () => {
  try {
    validateContainerSpec({ image: '', name: '-bad', env: ['NOEQUALS'], resources: { memoryBytes: -5 }, network: { mode: 'bridge' }, mounts: [{ type: 'bind', source: 'rel', target: '/x' }] });
    assert.unreachable('should have thrown');
  } catch (err) {
    assert.ok(isSwarmError(err, 'INVALID_ARGUMENT'));
    const problems = (err.details?.['problems'] as string[]) ?? [];
    assert.equal(problems.map((p) => p.split(':')[0]), ['spec.image', 'spec.name', 'spec.env', 'spec.resources.memoryBytes', 'spec.network', 'spec.mounts[0].source']);
  }
});

test('non-objects are refused', () => {
  for (const bad of [null, 'x', 3]) assert.throws(() => validateContainerSpec(bad), /expected an object/);
});

test.run();
