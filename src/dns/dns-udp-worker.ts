/**
 * A helper process of DnsServer (config `udpWorkers`): reads the server's UDP socket, passed
 * over IPC, alongside the server itself, so queries are answered on more than one core.
 * Follows the parent's views; exits when told to stop or when the parent goes away.
 */
import type dgram from 'node:dgram';
import { DnsResponder } from './dns-responder.js';
import type { FromDnsWorker, ToDnsWorker } from './dns-worker-messages.js';

let responder: DnsResponder | undefined;
let udp: dgram.Socket | undefined;

// The parent may be gone already (it is then stopping us): a failed send is not an error.
const tell = (message: FromDnsWorker): void => {
  process.send?.(message, undefined, {}, () => undefined);
};

process.on('message', (message: ToDnsWorker, handle: unknown) => {
  switch (message.kind) {
    case 'start': {
      const socket = handle as dgram.Socket;
      const started = new DnsResponder(message.config, message.view);
      socket.on('message', (packet, from) => started.answerDatagram(socket, packet, from));
      // A failed send is one lost reply; the client retries.
      socket.on('error', () => undefined);
      responder = started;
      udp = socket;
      if (process.connected) tell({ kind: 'started' });
      else stop();
      break;
    }
    case 'view':
      responder?.setView(message.view);
      tell({ kind: 'view-applied', version: message.version });
      break;
    case 'counters':
      if (responder !== undefined) tell({ kind: 'counters', requestId: message.requestId, counters: responder.counters() });
      break;
    case 'stop':
      stop();
      break;
  }
});

// The parent closed the channel or died: a worker must not outlive its server. It may have
// died while this module loaded, before the listener existed.
process.on('disconnect', stop);
if (!process.connected) stop();

function stop(): void {
  responder?.close();
  udp?.close();
  responder = undefined;
  udp = undefined;
  if (process.connected) process.disconnect();
  process.exitCode = 0;
}
