/**
 * Node usage: each node measures its host's CPU and memory in use (`host-usage.ts`),
 * gossips the newest figure on `/swarmts/node-usage/1` and keeps every member's
 * (`usage-spreader.ts`, `usage-board.ts`); `GET /v1/nodes` shows them beside the
 * reservations.
 */
export { HostUsageSampler, cpuMillicoresBetween, parseMeminfo, parseProcStat, procHostUsageReader, type CpuTimes, type HostUsage, type HostUsageReader } from './host-usage.js';
export { NodeUsageBoard, decodeNodeUsageGossip, defaultNodeUsageBoardConfig, nodeUsageTopic, nodeUsageVersion, type NodeUsageBoardConfig, type NodeUsageGossip } from './usage-board.js';
export {
  NodeUsageSpreader, defaultNodeUsageSpreaderConfig, nodeUsageTopicConfig, validateNodeUsageSpreaderConfig,
  type NodeUsageSpreaderComponents, type NodeUsageSpreaderConfig, type NodeUsageStats, type NodeUsageTopic,
} from './usage-spreader.js';
