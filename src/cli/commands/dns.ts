import { Command, Option } from 'commander';
import { lookupTypes, type DnsLookupResult } from '../../daemon/api-network.js';
import { clientFor, type GlobalOptions } from '../context.js';

/** One answer as `dig +short`-like text: the record's data, SRV and others spelled out. */
function answerText(answer: DnsLookupResult['answers'][number]): string {
  const data = typeof answer.data === 'object' && answer.data !== null ? Object.values(answer.data as Record<string, unknown>).join(' ') : String(answer.data);
  return `${answer.name}\t${answer.ttl}\t${answer.type}\t${data}`;
}

/** `swarmts dns lookup NAME`: asks this node's DNS server, the one its containers use. */
export function dnsCommand(globals: () => GlobalOptions): Command {
  const dns = new Command('dns').description('Service discovery: ask the DNS server this node\'s containers use')
    .addHelpText('after', '\nExamples:\n  swarmts dns lookup web.shop');
  dns.command('lookup <name>')
    .description('Ask this node\'s DNS server for NAME (service, tasks.SERVICE, task name or hostname, or any outside name it forwards)')
    .addOption(new Option('--type <type>', 'record type').choices([...lookupTypes]).default('A'))
    .addOption(new Option('--format <format>', "'text' or 'json'").choices(['text', 'json']).default('text'))
    .addHelpText('after', '\nExamples:\n  swarmts dns lookup web.shop\n  swarmts dns lookup tasks.shop_web\n  swarmts dns lookup --type SRV _80._tcp.web.shop\n  swarmts dns lookup --type PTR 2.1.200.10.in-addr.arpa')
    .action(async (name: string, opts: { type: string; format: string }) => {
      const result = await clientFor(globals()).call<DnsLookupResult>('GET', `/v1/network/lookup?name=${encodeURIComponent(name)}&type=${opts.type}`);
      if (opts.format === 'json') {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      process.stdout.write(`;; ${result.rcode} from ${result.server}, ${result.answers.length} answer${result.answers.length === 1 ? '' : 's'}\n`);
      for (const answer of result.answers) process.stdout.write(`${answerText(answer)}\n`);
      if (result.rcode !== 'NOERROR') process.exitCode = 1;
    });
  return dns;
}
