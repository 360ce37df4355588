import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SwarmError } from '../core/errors.js';
import type { Versioned } from './message-codec.js';
import type { Transport, TransportConfig } from './transport.js';
import { waitFor } from './wait-for.js';

/** The message type of the contract: a sequence number and some text. */
export type ContractMessage = Versioned & { seq: number; text: string };

/** Decodes a ContractMessage; what the contract's transports are configured with. */
export function decodeContractMessage(value: Versioned & Record<string, unknown>): ContractMessage {
  if (typeof value.seq !== 'number' || typeof value.text !== 'string') {
    throw new SwarmError('MALFORMED_MESSAGE', 'contract message: expected { seq: number, text: string }');
  }
  return { v: value.v, seq: value.seq, text: value.text };
}

/** Started transports that can reach one another, made by an implementation's fixture. */
export interface TransportFixture {
  transports: Array<Transport<ContractMessage>>;
  /** A well-formed peer id that no transport of the fixture has. */
  unknownPeerId: string;
  /** Stops every transport and whatever hosts them. */
  stop(): Promise<void>;
}

/** Makes `count` started transports with `config` (version 1, decodeContractMessage, the given limits). */
export type MakeTransports = (count: number, config: TransportConfig<ContractMessage>) => Promise<TransportFixture>;

/** The contract's base config; tests override the limits they exercise. */
export function contractConfig(overrides: Partial<TransportConfig<ContractMessage>> = {}): TransportConfig<ContractMessage> {
  return {
    protocol: '/swarmts/test/contract/1',
    version: 1,
    decode: decodeContractMessage,
    queueLengthMax: 256,
    messageBytesMax: 64 * 1024,
    connectTimeoutMs: 5000,
    ...overrides,
  };
}

type Received = Array<{ from: string; message: ContractMessage }>;

function collect(transport: Transport<ContractMessage>): Received {
  const received: Received = [];
  transport.onMessage((from, message) => received.push({ from, message }));
  return received;
}

function note(seq: number, text = `message ${seq}`): ContractMessage {
  return { v: 1, seq, text };
}

/**
 * The behaviour every Transport must have (transport.ts), as one uvu suite named `name`.
 * Run it against each implementation with that implementation's fixture.
 */
export function transportContract(name: string, make: MakeTransports): void {
  const contract = suite(`transport contract: ${name}`);

  const withFixture = (count: number, overrides: Partial<TransportConfig<ContractMessage>>, body: (fixture: TransportFixture) => Promise<void>) => async () => {
    const fixture = await make(count, contractConfig(overrides));
    try {
      await body(fixture);
    } finally {
      await fixture.stop();
    }
  };

  contract('delivers a message with the authenticated sender id', withFixture(3, {}, async ({ transports }) => {
    const [a, b, c] = transports as [Transport<ContractMessage>, Transport<ContractMessage>, Transport<ContractMessage>];
    const atB = collect(b);
    const atC = collect(c);
    a.send(b.localId, note(1, 'to b'));
    c.send(b.localId, note(2, 'from c'));
    a.send(c.localId, note(3, 'to c'));
    await waitFor('b and c receive', () => atB.length === 2 && atC.length === 1);
    assert.equal(new Set(atB.map((r) => `${r.from} ${r.message.text}`)), new Set([`${a.localId} to b`, `${c.localId} from c`]));
    assert.equal(atC, [{ from: a.localId, message: note(3, 'to c') }]);
    assert.is(a.stats().sent, 2);
    assert.is(b.stats().received, 2);
  }));

  contract('keeps send order from one sender to one receiver', withFixture(2, {}, async ({ transports }) => {
    const [a, b] = transports as [Transport<ContractMessage>, Transport<ContractMessage>];
    const atB = collect(b);
    for (let seq = 0; seq < 100; seq++) a.send(b.localId, note(seq));
    await waitFor('all 100 arrive', () => atB.length === 100);
    assert.equal(atB.map((r) => r.message.seq), [...Array(100).keys()]);
  }));

  contract('drops and counts messages beyond queueLengthMax instead of blocking', withFixture(2, { queueLengthMax: 4 }, async ({ transports }) => {
    const [a, b] = transports as [Transport<ContractMessage>, Transport<ContractMessage>];
    const atB = collect(b);
    for (let seq = 0; seq < 100; seq++) a.send(b.localId, note(seq));
    assert.is(a.stats().dropped, 96, 'nothing drains while send runs, so all but queueLengthMax are dropped');
    await waitFor('the queued four arrive', () => atB.length === 4);
    assert.equal(atB.map((r) => r.message.seq), [0, 1, 2, 3]);
  }));

  contract('rejects and counts messages the receiver cannot accept, then keeps delivering', withFixture(2, {}, async ({ transports }) => {
    const [a, b] = transports as [Transport<ContractMessage>, Transport<ContractMessage>];
    const atB = collect(b);
    a.send(b.localId, { v: 1, seq: 'one', text: 'bad shape' } as unknown as ContractMessage);
    a.send(b.localId, { v: 2, seq: 2, text: 'from the future' });
    a.send(b.localId, note(3, 'good'));
    await waitFor('the good message arrives', () => atB.length === 1);
    await waitFor('both bad messages are counted', () => b.stats().rejected === 2);
    assert.equal(atB.map((r) => r.message.text), ['good']);
  }));

  contract('drops a message over messageBytesMax at the sender', withFixture(2, { messageBytesMax: 256 }, async ({ transports }) => {
    const [a, b] = transports as [Transport<ContractMessage>, Transport<ContractMessage>];
    const atB = collect(b);
    a.send(b.localId, note(1, 'x'.repeat(1000)));
    assert.is(a.stats().dropped, 1);
    a.send(b.localId, note(2, 'small'));
    await waitFor('the small message arrives', () => atB.length === 1);
    assert.is(atB[0]!.message.seq, 2);
  }));

  contract('send to an unknown or malformed peer id neither throws nor blocks, and counts the drop', withFixture(1, { connectTimeoutMs: 2000 }, async ({ transports, unknownPeerId }) => {
    const [a] = transports as [Transport<ContractMessage>];
    a.send(unknownPeerId, note(1));
    await waitFor('the message is counted as dropped', () => a.stats().dropped === 1);
    a.send('not a peer id', note(2));
    a.send('not a peer id', note(3));
    await waitFor('both messages to a malformed id are counted as dropped', () => a.stats().dropped === 3);
    a.send(unknownPeerId, note(4));
    await waitFor('a later send to the unknown peer is tried and dropped again', () => a.stats().dropped === 4);
  }));

  contract('after stop nothing is sent or delivered', withFixture(2, {}, async ({ transports }) => {
    const [a, b] = transports as [Transport<ContractMessage>, Transport<ContractMessage>];
    const atB = collect(b);
    a.send(b.localId, note(1));
    await waitFor('the first message arrives', () => atB.length === 1);
    await a.stop();
    a.send(b.localId, note(2));
    assert.is(a.stats().dropped, 1);
    await b.stop();
    assert.is(atB.length, 1);
  }));

  contract('an unsubscribed handler receives nothing more', withFixture(2, {}, async ({ transports }) => {
    const [a, b] = transports as [Transport<ContractMessage>, Transport<ContractMessage>];
    const first: number[] = [];
    const unsubscribe = b.onMessage((_from, message) => first.push(message.seq));
    const all = collect(b);
    a.send(b.localId, note(1));
    await waitFor('the first message arrives', () => all.length === 1);
    unsubscribe();
    a.send(b.localId, note(2));
    await waitFor('the second message arrives', () => all.length === 2);
    assert.equal(first, [1]);
  }));

  contract.run();
}
