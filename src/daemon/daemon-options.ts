/** How one daemon is started: where its state lives, what the node is called, which OCI runtime. */
export interface DaemonOptions {
  stateDir: string;
  nodeName: string;
  /** swarmts-runtime, crun, runc, or a path to an OCI runtime binary. */
  ociRuntime: string;
}
