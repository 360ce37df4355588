import type { ConfState, Entry, Message, Ready, Snapshot } from './types.js';

/**
 * Compact one-line renderings of raft's data for the interaction scripts' golden output:
 * `index/term` for log positions, payloads as quoted text.
 */

const decoder = new TextDecoder();

export function formatData(data: Uint8Array): string {
  return JSON.stringify(decoder.decode(data));
}

export function formatEntry(e: Entry): string {
  if (e.type === 'confChange') {
    const cc = JSON.parse(decoder.decode(e.data)) as { type: string; node: string };
    return `${e.index}/${e.term} conf ${cc.type} ${cc.node}`;
  }
  return `${e.index}/${e.term} ${formatData(e.data)}`;
}

export function formatEntries(entries: Entry[]): string {
  return `[${entries.map(formatEntry).join(', ')}]`;
}

export function formatConfState(cs: ConfState): string {
  return `voters=(${cs.voters.join(',')}) learners=(${cs.learners.join(',')})`;
}

export function formatSnapshot(s: Snapshot): string {
  return `${s.meta.index}/${s.meta.term} ${formatConfState(s.meta.confState)} data=${formatData(s.data)}`;
}

export function formatMessage(m: Message): string {
  const head = `${m.from}->${m.to} ${m.type} term=${m.term}`;
  switch (m.type) {
    case 'append':
      return `${head} prev=${m.index}/${m.logTerm} commit=${m.commit} entries=${formatEntries(m.entries)}`;
    case 'appendResponse':
      return m.reject ? `${head} rejected=${m.index} hint=${m.rejectHint}/${m.logTerm}` : `${head} index=${m.index}`;
    case 'vote':
    case 'preVote':
      return `${head} last=${m.lastLogIndex}/${m.lastLogTerm}${m.transfer ? ' transfer' : ''}`;
    case 'voteResponse':
    case 'preVoteResponse':
      return `${head} ${m.reject ? 'rejected' : 'granted'}`;
    case 'heartbeat':
      return `${head} commit=${m.commit}${m.context === undefined ? '' : ` ctx=${formatData(m.context)}`}`;
    case 'heartbeatResponse':
      return `${head}${m.context === undefined ? '' : ` ctx=${formatData(m.context)}`}`;
    case 'snapshot':
      return `${head} snap=${formatSnapshot(m.snapshot)}`;
    case 'timeoutNow':
      return head;
    case 'readIndex':
      return `${head} ctx=${formatData(m.context)}`;
    case 'readIndexResponse':
      return `${head} index=${m.index} ctx=${formatData(m.context)}`;
  }
}

/** A Ready without its messages (the caller prints them with their fate), one fact per line. */
export function formatReady(rd: Ready): string[] {
  const lines: string[] = [];
  if (rd.softState) lines.push(`  soft: role=${rd.softState.role} leader=${rd.softState.leader ?? '-'}`);
  if (rd.hardState) lines.push(`  hard: term=${rd.hardState.term} vote=${rd.hardState.vote ?? '-'} commit=${rd.hardState.commit}`);
  if (rd.snapshot) lines.push(`  snapshot: ${formatSnapshot(rd.snapshot)}`);
  if (rd.entries.length > 0) lines.push(`  entries: ${formatEntries(rd.entries)}`);
  if (rd.committedEntries.length > 0) lines.push(`  committed: ${formatEntries(rd.committedEntries)}`);
  for (const rs of rd.readStates) lines.push(`  read-state: index=${rs.index} ctx=${formatData(rs.requestCtx)}`);
  return lines;
}
