import { nodeAttribute } from '../spec/placement-match.js';
import type { PlacementPreference } from '../spec/service-spec.js';
import { fitFailure } from './filters.js';
import type { FailureTally } from './explain.js';
import { type Candidate, placeOn } from './candidate.js';
import { Heap } from './heap.js';
import type { SchedulingService } from './node-state.js';

/**
 * Placement preferences as swarmkit applies them: the candidates are grouped by the value
 * of the first preference's attribute, each group by the second's, and so on; a task goes
 * to the group with the fewest tasks of the service, at every level, and then to the best
 * node of the last group by the strategy. So tasks are divided evenly between the values
 * first and spread within them after. Nodes without the label share the group ''.
 * Groups hold only nodes that could take a task when the batch began, as in swarmkit, so
 * a value with no such node draws no task and tasks on full nodes do not count. Ties
 * between groups go to the smaller value.
 *
 * With no preferences the tree is one leaf holding every candidate.
 */
interface Group {
  value: string;
  /** Tasks of the service on the group's candidates, the batch's included. */
  tasks: number;
  /** Subgroups by the next preference, or undefined at the last level. */
  children: Heap<Group> | undefined;
  /** Candidates, best first, at the last level only. */
  nodes: Heap<Candidate> | undefined;
}

const groupLess = (a: Group, b: Group): boolean => (a.tasks !== b.tasks ? a.tasks < b.tasks : a.value < b.value);

interface Draft {
  tasks: number;
  children: Map<string, Draft>;
  members: Candidate[];
}

function freeze(value: string, draft: Draft, depth: number, levels: number, order: (a: Candidate, b: Candidate) => boolean): Group {
  if (depth === levels) return { value, tasks: draft.tasks, children: undefined, nodes: new Heap(draft.members, order) };
  const children = [...draft.children].map(([v, d]) => freeze(v, d, depth + 1, levels, order));
  return { value, tasks: draft.tasks, children: new Heap(children, groupLess), nodes: undefined };
}

/** The candidates of one batch, grouped by preference and ordered by strategy; owned by that batch. */
export class SpreadTree {
  private readonly root: Group;

  constructor(
    candidates: readonly Candidate[],
    preferences: readonly PlacementPreference[],
    order: (a: Candidate, b: Candidate) => boolean,
    private readonly service: SchedulingService,
    private readonly tally: FailureTally,
  ) {
    const root: Draft = { tasks: 0, children: new Map(), members: [] };
    for (const candidate of candidates) {
      let draft = root;
      draft.tasks += candidate.load.serviceTasks;
      for (const preference of preferences) {
        const value = nodeAttribute(candidate.node.info, preference.spread) ?? '';
        let child = draft.children.get(value);
        if (child === undefined) {
          child = { tasks: 0, children: new Map(), members: [] };
          draft.children.set(value, child);
        }
        draft = child;
        draft.tasks += candidate.load.serviceTasks;
      }
      draft.members.push(candidate);
    }
    this.root = freeze('', root, 0, preferences.length, order);
  }

  /**
   * Places one task on the best candidate that still fits and returns it, or undefined
   * when none fits any more. Candidates found full on the way are dropped for the rest
   * of the batch and charged to the tally (fit only gets worse as the batch places).
   */
  placeOne(): Candidate | undefined {
    return this.placeIn(this.root);
  }

  private placeIn(group: Group): Candidate | undefined {
    const placed = group.nodes !== undefined ? this.placeOnBestNode(group.nodes) : this.placeInBestChild(group.children!);
    if (placed !== undefined) group.tasks++;
    return placed;
  }

  private placeInBestChild(children: Heap<Group>): Candidate | undefined {
    for (let child = children.peek(); child !== undefined; child = children.peek()) {
      const placed = this.placeIn(child);
      if (placed !== undefined) {
        children.updateTop();
        return placed;
      }
      children.pop();
    }
    return undefined;
  }

  private placeOnBestNode(nodes: Heap<Candidate>): Candidate | undefined {
    for (let best = nodes.peek(); best !== undefined; best = nodes.peek()) {
      const failure = fitFailure(best.node.info.resources, best.load, this.service);
      if (failure === undefined) {
        placeOn(best, this.service);
        nodes.updateTop();
        return best;
      }
      this.tally.add(failure);
      nodes.pop();
    }
    return undefined;
  }
}
