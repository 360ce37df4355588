/**
 * What raft replicates: any deterministic state machine. The RaftService owns it: it
 * calls `apply` for each committed command in log order, `snapshot` every
 * RaftServiceConfig.snapshotEntries applied entries, and `restore` on start-up (from the
 * newest snapshot on disk) and when the leader sends a snapshot. Hand the service a state
 * machine in its initial state; the service never calls it concurrently.
 */
export interface StateMachine {
  /**
   * Applies the command committed at `index`. Must be deterministic: every replica applies
   * the same commands in the same order and must reach the same state and return the same
   * value. The return value is handed to whoever proposed the entry (through
   * RaftService.propose, on any node). A throw is treated as that command's result too:
   * the proposer's promise rejects with it, and the index still counts as applied, so a
   * state machine that throws must do so before it changes anything.
   */
  apply(command: Uint8Array, index: number): unknown;
  /** The whole state as bytes, as of the last applied index. */
  snapshot(): Uint8Array;
  /** Replaces the whole state with one `snapshot()` produced (here or on another replica). */
  restore(data: Uint8Array): void;
}
