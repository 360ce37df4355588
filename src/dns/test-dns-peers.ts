/** A DNS client and a scriptable upstream resolver on loopback, for the server tests. */
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';

/** How long a test waits for a reply before failing: generous for a loaded machine. */
export const replyWaitMs = 5000;

/** A UDP client socket bound to `address`; replies are read in arrival order. */
export class UdpClient {
  private readonly socket = dgram.createSocket('udp4');
  private readonly queue: Buffer[] = [];
  private waiting: ((reply: Buffer) => void) | undefined;

  static async open(address = '127.0.0.1'): Promise<UdpClient> {
    const client = new UdpClient();
    await new Promise<void>((resolve) => client.socket.bind(0, address, () => resolve()));
    client.socket.on('message', (reply) => {
      if (client.waiting === undefined) client.queue.push(reply);
      else client.waiting(reply);
    });
    return client;
  }

  send(packet: Buffer, port: number): void {
    this.socket.send(packet, port, '127.0.0.1');
  }

  /** The next datagram received, or a failure after `replyWaitMs`. */
  next(): Promise<Buffer> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        reject(new Error(`no UDP reply within ${replyWaitMs} ms`));
      }, replyWaitMs);
      this.waiting = (reply) => {
        clearTimeout(timer);
        this.waiting = undefined;
        resolve(reply);
      };
    });
  }

  async ask(packet: Buffer, port: number): Promise<Buffer> {
    this.send(packet, port);
    return this.next();
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** One query over a new TCP connection; resolves the reply message (without its length prefix). */
export function askTcp(packet: Buffer, port: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no TCP reply within ${replyWaitMs} ms`));
    }, replyWaitMs);
    let received = Buffer.alloc(0);
    socket.on('connect', () => socket.write(dnsPacket.streamEncode(dnsPacket.decode(packet))));
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(received.subarray(2, 2 + received.readUInt16BE(0)));
      }
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** An encoded query for `name`; `edns` adds an OPT record with that UDP size. */
export function query(name: string, type: dnsPacket.RecordType = 'A', options: { id?: number; edns?: number; klass?: 'IN' | 'CH' } = {}): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id: options.id ?? 4242,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type, class: options.klass ?? 'IN' }],
    // @types/dns-packet wants every OPT field; dns-packet itself defaults all but the size.
    additionals: options.edns === undefined ? [] : [{ type: 'OPT', name: '.', udpPayloadSize: options.edns } as dnsPacket.Answer],
  });
}

/** A record of a decoded reply, loosely typed: tests compare it with plain values. */
export interface ReplyRecord {
  name: string;
  type: string;
  ttl?: number;
  data?: unknown;
}

/** A decoded reply with the fields dns-packet returns and its typings omit. */
export interface DecodedReply extends Omit<dnsPacket.DecodedPacket, 'answers' | 'additionals'> {
  rcode: string;
  opcode: string;
  answers: ReplyRecord[];
  additionals: ReplyRecord[];
}

export function decodeReply(packet: Buffer): DecodedReply {
  return dnsPacket.decode(packet) as unknown as DecodedReply;
}

/**
 * A stand-in upstream resolver on 127.0.0.1, UDP and TCP on one port: answers every A
 * question with `address`, or stays silent while `silent` is set. Records what it was asked.
 */
export class FakeUpstream {
  silent = false;
  readonly asked: Array<{ transport: 'udp' | 'tcp'; id: number; name: string }> = [];
  private readonly udp = dgram.createSocket('udp4');
  private tcp: net.Server | undefined;
  private readonly connections = new Set<net.Socket>();

  private constructor(private readonly address: string) {}

  static async start(address: string): Promise<FakeUpstream> {
    const upstream = new FakeUpstream(address);
    await new Promise<void>((resolve) => upstream.udp.bind(0, '127.0.0.1', () => resolve()));
    upstream.udp.on('message', (packet, from) => {
      const reply = upstream.reply(packet, 'udp');
      if (reply !== undefined) upstream.udp.send(reply, from.port, from.address);
    });
    upstream.tcp = net.createServer((socket) => {
      upstream.connections.add(socket);
      socket.on('close', () => upstream.connections.delete(socket));
      socket.on('data', (chunk) => {
        const reply = upstream.reply(chunk.subarray(2), 'tcp');
        if (reply !== undefined) socket.write(dnsPacket.streamEncode(dnsPacket.decode(reply)));
      });
    });
    await new Promise<void>((resolve) => upstream.tcp!.listen(upstream.port, '127.0.0.1', () => resolve()));
    return upstream;
  }

  get port(): number {
    return this.udp.address().port;
  }

  private reply(packet: Buffer, transport: 'udp' | 'tcp'): Buffer | undefined {
    const asked = dnsPacket.decode(packet);
    const question = asked.questions![0]!;
    this.asked.push({ transport, id: asked.id!, name: question.name });
    if (this.silent) return undefined;
    return dnsPacket.encode({
      type: 'response',
      id: asked.id,
      flags: dnsPacket.RECURSION_AVAILABLE,
      questions: [question],
      answers: [{ type: 'A', name: question.name, ttl: 300, data: this.address }],
    });
  }

  async close(): Promise<void> {
    for (const socket of this.connections) socket.destroy();
    await new Promise<void>((resolve) => this.udp.close(() => resolve()));
    await new Promise<void>((resolve) => this.tcp!.close(() => resolve()));
  }
}
