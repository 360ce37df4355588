import type { UpdateState } from '../cluster/records.js';
import type { PortSpec, ServiceMode } from '../spec/service-spec.js';
import type { ClusterSnapshot } from './cluster-snapshot.js';
import { matchesFilter } from './filter.js';
import type { Tone } from './tone.js';

/** One row of the services pane. */
export interface ServiceRow {
  id: string;
  name: string;
  mode: ServiceMode;
  running: number;
  desired: number;
  /** Good when all desired tasks run, warn while short, bad when none of several run. */
  replicasTone: Tone;
  image: string;
  ports: string;
  /** The rolling update's state in words, with why when it paused; '' when there is none. */
  update: string;
  updateTone: Tone;
}

const updateWords: Record<UpdateState, [string, Tone]> = {
  updating: ['updating', 'info'],
  paused: ['update paused', 'bad'],
  completed: ['updated', 'plain'],
  rollback_started: ['rolling back', 'warn'],
  rollback_paused: ['rollback paused', 'bad'],
  rollback_completed: ['rolled back', 'warn'],
};

/** `8080:80/tcp`; a port not yet published shows `?:80/tcp`. */
export function portsText(ports: PortSpec[]): string {
  return ports.map((p) => `${p.published ?? '?'}:${p.target}/${p.protocol}`).join(',');
}

function replicasTone(running: number, desired: number): Tone {
  if (running >= desired) return 'good';
  return running === 0 ? 'bad' : 'warn';
}

/** The services pane: every service matching `filter`, by name. */
export function serviceRows(snapshot: ClusterSnapshot, filter: string): ServiceRow[] {
  return snapshot.services
    .filter((s) => matchesFilter(filter, s.name, s.image, s.mode))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((s) => {
      const [words, tone] = s.update === undefined ? ['', 'plain' as Tone] : updateWords[s.update.state];
      const why = s.update !== undefined && s.update.state.endsWith('paused') && s.update.message ? `: ${s.update.message}` : '';
      return {
        id: s.id,
        name: s.name,
        mode: s.mode,
        running: s.running,
        desired: s.desired,
        replicasTone: replicasTone(s.running, s.desired),
        image: s.image,
        ports: portsText(s.ports),
        update: words + why,
        updateTone: tone,
      };
    });
}
