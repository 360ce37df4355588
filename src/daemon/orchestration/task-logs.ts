import { SwarmError, errorMessage } from '../../core/errors.js';
import type { RpcService } from '../../p2p/rpc.js';
import type { LogLine, Runtime } from '../../runtime/runtime.js';
import type { ServiceLogLine, TaskSummary } from '../api-orchestration.js';
import { mergeStreams } from './merge-streams.js';

export const taskLogsProtocol = '/swarmts/task-logs/1';
/** A followed log stream may stay open this long. */
const followMaxMs = 24 * 60 * 60 * 1000;
const fetchTimeoutMs = 15_000;

interface TaskLogsRequest {
  containerId: string;
  follow: boolean;
  tail: number | undefined;
}

function decodeTaskLogsRequest(body: unknown): TaskLogsRequest {
  const value = body as Partial<TaskLogsRequest> | null;
  if (typeof value?.containerId !== 'string' || typeof value.follow !== 'boolean' || (value.tail !== undefined && (!Number.isSafeInteger(value.tail) || value.tail < 0))) {
    throw new SwarmError('MALFORMED_MESSAGE', `${taskLogsProtocol}: expected {containerId: string, follow: boolean, tail?: whole number}`);
  }
  return { containerId: value.containerId, follow: value.follow, tail: value.tail };
}

function decodeLogLine(body: unknown): LogLine {
  const value = body as Partial<LogLine> | null;
  if (typeof value?.text !== 'string' || typeof value.time !== 'string' || (value.stream !== 'stdout' && value.stream !== 'stderr')) {
    throw new SwarmError('MALFORMED_MESSAGE', `${taskLogsProtocol}: expected {time, stream, text} lines`);
  }
  return value as LogLine;
}

/** Serves the logs of this node's task containers (only those: `owns` says which) to other nodes. */
export function serveTaskLogs(rpc: RpcService, runtime: Runtime, owns: (containerId: string) => boolean): Promise<void> {
  return rpc.handleStream<TaskLogsRequest, LogLine>(
    taskLogsProtocol,
    (request, context) => {
      if (!owns(request.containerId)) throw new SwarmError('NOT_FOUND', `no task container ${request.containerId} on this node`);
      return runtime.logs(request.containerId, request.tail === undefined ? { follow: request.follow } : { follow: request.follow, tailLines: request.tail }, context.signal);
    },
    { decode: decodeTaskLogsRequest, handlerTimeoutMs: followMaxMs },
  );
}

export interface TaskLogSources {
  selfId: string;
  runtime: Runtime;
  rpc: RpcService;
}

/** The logs of `tasks` (those that have a container), from whichever node ran each, merged as they come. */
export function serviceLogs(tasks: readonly TaskSummary[], options: { follow: boolean; tailLines?: number }, signal: AbortSignal, sources: TaskLogSources): AsyncIterable<ServiceLogLine> {
  const streams = tasks
    .filter((task) => task.containerId !== undefined && task.nodeId !== undefined)
    .map((task) => taskLines(task, options, signal, sources));
  return mergeStreams(streams);
}

async function* taskLines(task: TaskSummary, options: { follow: boolean; tailLines?: number }, signal: AbortSignal, sources: TaskLogSources): AsyncGenerator<ServiceLogLine> {
  const containerId = task.containerId!;
  const lines = task.nodeId === sources.selfId
    ? sources.runtime.logs(containerId, options.tailLines === undefined ? { follow: options.follow } : { follow: options.follow, tailLines: options.tailLines }, signal)
    : sources.rpc.requestStream(task.nodeId!, taskLogsProtocol, { containerId, follow: options.follow, tail: options.tailLines }, { decode: decodeLogLine, timeoutMs: options.follow ? followMaxMs : fetchTimeoutMs });
  const of = (stream: ServiceLogLine['stream'], time: number, line: string): ServiceLogLine => ({ taskId: task.id, task: task.name, nodeId: task.nodeId!, stream, time, line });
  try {
    for await (const line of lines) yield of(line.stream, Date.parse(line.time), line.text);
  } catch (err) {
    // One node's logs being out of reach should not hide the others'.
    if (!signal.aborted) yield of('stderr', Date.now(), `[swarmts: the logs of this task are out of reach: ${errorMessage(err)}]`);
  }
}
