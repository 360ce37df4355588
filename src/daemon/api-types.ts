/**
 * The local API between the daemon and its clients (the CLI, the dashboard): HTTP with
 * JSON bodies over a root-only Unix socket. Streaming answers are newline-delimited JSON.
 * Errors come back as `{ error: { code, message, details? } }` with a matching status.
 */
import type { ErrorCode } from '../core/errors.js';
import type { ImageSummary, PullEvent } from '../runtime/image/local-images.js';
import type { ContainerInfo, ContainerSpec, ExitStatus, LogLine } from '../runtime/runtime.js';

/** Bumped when a request or answer changes shape incompatibly. */
export const apiVersion = 1;

/** The error body of every failed request. */
export interface ApiErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

/** GET /v1/info */
export interface InfoResponse {
  apiVersion: number;
  version: string;
  nodeName: string;
  stateDir: string;
  ociRuntime: string;
  cgroupVersion: 1 | 2;
  containers: { total: number; running: number };
  images: number;
}

/** GET /v1/images lists these; POST /v1/images/pull streams PullEvents. */
export type { ImageSummary, PullEvent };

/** POST /v1/images/import: a tar stream in the body, the reference in the query. */
export interface ImportResponse {
  images: ImageSummary[];
}

/** POST /v1/containers: create (and pull the image if missing), optionally start. */
export interface CreateContainerRequest {
  spec: ContainerSpec;
  start: boolean;
  /** 'missing' pulls when the image is not in the store; 'never' fails instead. */
  pull: 'missing' | 'always' | 'never';
}

/** POST /v1/containers/:id/exec, answered as a stream of these. */
export type ExecEvent =
  | { type: 'output'; stream: 'stdout' | 'stderr'; data: string /* base64 */ }
  | { type: 'exit'; exitCode: number };

export interface ExecRequest {
  args: string[];
  env: string[];
  user?: string;
  workingDir?: string;
}

export type { ContainerInfo, ContainerSpec, ExitStatus, LogLine };
