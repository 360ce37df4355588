import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SwarmError, errorMessage } from '../../core/errors.js';
import type { NodeRole } from '../../membership/types.js';
import { decodePskFile, encodePskFile } from '../../p2p/psk.js';
import { decodeManagerSecrets, type ManagerSecrets } from './join-protocol.js';

/** This node's cluster membership as saved in `<state>/cluster/cluster.json`. */
export interface ClusterConfig {
  clusterId: string;
  role: NodeRole;
  authorityPublicKey: string;
  /** This node's admission certificate. */
  certificate: string;
  /** HOST:PORT this node listens on for cluster traffic. */
  listen: string;
  /** HOST:PORT other nodes dial. */
  advertise: string;
  labels: Record<string, string>;
  /** The last membership incarnation saved: a restart starts above it, alive again at once. */
  incarnation: number;
  /** Set on the node that ran `swarmts init`: its raft starts as the only voter when its log is empty. */
  founder?: boolean;
}

/** A member's id and addresses, remembered so that a restarted daemon can find the cluster again. */
export interface KnownPeer {
  id: string;
  addresses: string[];
}

/** Everything a started cluster node needs from disk. */
export interface ClusterState {
  config: ClusterConfig;
  psk: Uint8Array;
  managerSecrets: ManagerSecrets | undefined;
}

const fileMode = 0o600;

/**
 * The cluster's files in the state directory, all root-only: the network key (pnet swarm
 * key file), cluster.json, on managers the authority key and join secrets, and the peers
 * last seen. Every file is written whole to a temporary name and renamed, so a crash never
 * leaves half a file. The libp2p identity lives beside the folder and survives `leave`.
 */
export class ClusterFiles {
  readonly dir: string;
  /** The node's libp2p key: its peer id, kept across leave and join. */
  readonly identityPath: string;

  constructor(stateDir: string) {
    this.dir = join(stateDir, 'cluster');
    this.identityPath = join(stateDir, 'p2p-identity.key');
  }

  /** Raft's log and snapshots on managers (root-only): removed with the rest on leave. */
  raftDir(): string {
    const dir = join(this.dir, 'raft');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  }

  /** Whether this node belongs to a cluster. */
  exists(): boolean {
    return existsSync(this.path('cluster.json'));
  }

  load(): ClusterState {
    try {
      const config = JSON.parse(readFileSync(this.path('cluster.json'), 'utf8')) as ClusterConfig;
      const psk = decodePskFile(readFileSync(this.path('swarm.key'), 'utf8'));
      const secretsPath = this.path('manager-secrets.json');
      const managerSecrets = existsSync(secretsPath) ? decodeManagerSecrets(JSON.parse(readFileSync(secretsPath, 'utf8'))) : undefined;
      return { config, psk, managerSecrets };
    } catch (err) {
      throw new SwarmError('CORRUPT_DATA', `the cluster state in ${this.dir} cannot be read (${errorMessage(err)}); run \`swarmts leave --force\` and join again`, { cause: err });
    }
  }

  /** Writes a whole new membership; the key and secrets first, cluster.json (which makes it exist) last. */
  create(state: ClusterState): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.write('swarm.key', encodePskFile(state.psk));
    if (state.managerSecrets !== undefined) this.saveManagerSecrets(state.managerSecrets);
    this.saveConfig(state.config);
  }

  saveConfig(config: ClusterConfig): void {
    this.write('cluster.json', JSON.stringify(config, null, 2));
  }

  saveManagerSecrets(secrets: ManagerSecrets): void {
    this.write('manager-secrets.json', JSON.stringify(secrets, null, 2));
  }

  /** A demoted node holds no authority key or join secrets. */
  removeManagerSecrets(): void {
    rmSync(this.path('manager-secrets.json'), { force: true });
  }

  /** A demoted node's raft log: it left the raft configuration, and a later promotion starts afresh. */
  removeRaftDir(): void {
    rmSync(join(this.dir, 'raft'), { recursive: true, force: true });
  }

  loadPeers(): KnownPeer[] {
    try {
      return JSON.parse(readFileSync(this.path('peers.json'), 'utf8')) as KnownPeer[];
    } catch {
      return [];
    }
  }

  savePeers(peers: KnownPeer[]): void {
    this.write('peers.json', JSON.stringify(peers));
  }

  /** Forgets the cluster (leave): every file but the node's identity. */
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private path(name: string): string {
    return join(this.dir, name);
  }

  private write(name: string, text: string): void {
    const temporary = this.path(`.${name}.tmp`);
    writeFileSync(temporary, text, { mode: fileMode });
    renameSync(temporary, this.path(name));
  }
}
