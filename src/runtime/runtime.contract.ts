import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from '../core/errors.js';
import type { ContainerSpec, LogLine, Runtime } from './runtime.js';

/** A runtime under test, the image it can run, and how to tear it down. */
export interface RuntimeUnderTest {
  runtime: Runtime;
  image: string;
  cleanup(): Promise<void>;
}

/**
 * The behaviour every `Runtime` shares, run against SimRuntime and the real
 * ContainerManager alike so that simulations can trust the twin.
 */
export function runtimeContract(name: string, make: () => Promise<RuntimeUnderTest>): void {
  let subject: RuntimeUnderTest;
  const spec = (over: Partial<ContainerSpec>): ContainerSpec => ({
    image: subject.image, env: [], labels: {}, resources: {}, network: { mode: 'none' }, mounts: [], readOnlyRootfs: false, ...over,
  });
  const collect = async (lines: AsyncIterable<LogLine>): Promise<string[]> => {
    const out: string[] = [];
    for await (const line of lines) out.push(line.text);
    return out;
  };

  test.before(async () => {
    subject = await make();
  });
  test.after(async () => {
    for (const c of await subject.runtime.list()) await subject.runtime.remove(c.id, true);
    await subject.cleanup();
  });

  test(`${name}: a container's output and exit code are kept after it exits`, async () => {
    const rt = subject.runtime;
    const c = await rt.create(spec({ name: 'contract-echo', command: ['echo', 'hello from the container'] }));
    assert.is(c.state, 'created');
    await rt.start(c.id);
    const exit = await rt.wait(c.id);
    assert.is(exit.exitCode, 0);
    assert.is(exit.oomKilled, false);
    assert.equal(await collect(rt.logs(c.id, { follow: false })), ['hello from the container']);
    assert.is((await rt.inspect('contract-echo')).state, 'exited');
    await rt.remove(c.id, false);
  });

  test(`${name}: a non-zero exit code is reported as is`, async () => {
    const rt = subject.runtime;
    const c = await rt.create(spec({ command: ['sh', '-c', 'exit 3'] }));
    await rt.start(c.id);
    assert.is((await rt.wait(c.id)).exitCode, 3);
    await rt.remove(c.id, false);
  });

  test(`${name}: stop ends a long-running container and wait resolves`, async () => {
    const rt = subject.runtime;
    const c = await rt.create(spec({ command: ['sleep', '1000'] }));
    const started = await rt.start(c.id);
    assert.is(started.state, 'running');
    const waited = rt.wait(c.id);
    const stopped = await rt.stop(c.id, 500);
    assert.is(stopped.state, 'exited');
    const exit = await waited;
    assert.ok([137, 143].includes(exit.exitCode), `exit code ${exit.exitCode}`);
    await rt.remove(c.id, false);
  });

  test(`${name}: exec runs inside a running container`, async () => {
    const rt = subject.runtime;
    const c = await rt.create(spec({ command: ['sleep', '1000'] }));
    await rt.start(c.id);
    const chunks: Buffer[] = [];
    const code = await rt.exec(c.id, { args: ['echo', 'exec works'], env: [] }, (_stream, chunk) => chunks.push(chunk));
    assert.is(code, 0);
    assert.is(Buffer.concat(chunks).toString().trim(), 'exec works');
    await rt.remove(c.id, true);
  });

  test(`${name}: removing a running container needs force, and then it is gone`, async () => {
    const rt = subject.runtime;
    const c = await rt.create(spec({ name: 'contract-busy', command: ['sleep', '1000'] }));
    await rt.start(c.id);
    try {
      await rt.remove(c.id, false);
      assert.unreachable('remove without force should fail');
    } catch (err) {
      assert.ok(isSwarmError(err, 'CONFLICT'), String(err));
    }
    await rt.remove('contract-busy', true);
    try {
      await rt.inspect(c.id);
      assert.unreachable('inspect after remove should fail');
    } catch (err) {
      assert.ok(isSwarmError(err, 'CONTAINER_NOT_FOUND'), String(err));
    }
    assert.ok(!(await rt.list()).some((x) => x.id === c.id));
  });

  test(`${name}: names are unique and unknown images are refused`, async () => {
    const rt = subject.runtime;
    const c = await rt.create(spec({ name: 'contract-unique', command: ['true'] }));
    try {
      await rt.create(spec({ name: 'contract-unique', command: ['true'] }));
      assert.unreachable('duplicate name should fail');
    } catch (err) {
      assert.ok(isSwarmError(err, 'ALREADY_EXISTS'), String(err));
    }
    try {
      await rt.create(spec({ image: 'no-such-image-here:1', command: ['true'] }));
      assert.unreachable('unknown image should fail');
    } catch (err) {
      assert.ok(isSwarmError(err, 'IMAGE_NOT_FOUND'), String(err));
    }
    await rt.remove(c.id, true);
  });

  test(`${name}: following logs ends when the container exits`, async () => {
    const rt = subject.runtime;
    const c = await rt.create(spec({ command: ['sh', '-c', 'echo line one'] }));
    await rt.start(c.id);
    assert.equal(await collect(rt.logs(c.id, { follow: true })), ['line one']);
    await rt.remove(c.id, true);
  });
}
