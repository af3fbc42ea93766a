import { InvalidConfigError, joinHostPort, parseHostPort } from '@clusterfunk/core'
import { DEFAULT_DATA_DIR, DEFAULT_FORWARD_TIMEOUT_MS, DEFAULT_HOST, DEFAULT_NODE_ID, DEFAULT_PORT, RAFT_PORT_OFFSET } from './constants.js'
import type { RaftPreset } from './raft-deps.js'
import type { RespLimits } from './resp-limits.js'

/** What a follower does with a write (and a leader-only admin command). */
export type FollowerMode = 'forward' | 'moved' | 'try'

/** Options of a `MachineNode` (the command line's flags map onto these). */
export interface MachineNodeInit {
  /** Node id (`-n`). Default `1`. */
  nodeId?: string
  /** Client address to bind, `host:port` or `:port` (`-a`). Default 127.0.0.1:11001. */
  address?: string
  /** Raft (gRPC) port. Default: the client port + 10 000 (or any free port when the client port is 0). */
  raftPort?: number
  /** The client address others reach this node at (`--advertise`). Default: the bound address. */
  advertise?: string
  /** The Raft address others reach this node at. Default: the advertised host with the Raft port. */
  raftAdvertise?: string
  /** Data directory (`-d`). Default `data`. */
  dataDir?: string
  /** Join the cluster a member of which listens here (`-j`); the leader adds this node. */
  join?: string
  /** Shared secret of servers and clients (`--auth`): clients AUTH with it, servers prove it to each other (never sent in clear). */
  auth?: string
  /** TLS for clients and between servers (`--tls-cert`, `--tls-key`). `ca` verifies peers; default: the certificate itself. */
  tls?: { cert: Buffer, key: Buffer, ca?: Buffer }
  /** Do not fsync the log (`--nosync`). */
  noSync?: boolean
  /** Followers answer reads from their own state, maybe stale (`--openreads`). */
  openReads?: boolean
  /** Stamp entries with the leader's wall clock as it is (`--localtime`). */
  localTime?: boolean
  /** A snapshot file (a `state.bin`) to start a new single-node cluster from (`--restore`); ignored when the data directory holds state. */
  restore?: string
  /** Followers forward writes to the leader (default), or answer MOVED or TRY. */
  followerMode?: FollowerMode
  /** Raft timing preset. Default `'default'`. */
  preset?: RaftPreset
  /** Bounds of the RESP reader per connection. */
  respLimits?: Partial<RespLimits>
  /** Client connections open at once at most. Default 10 000. */
  maxConnections?: number
  /** How long a forwarded command or a join call waits. Default 10 s. */
  forwardTimeoutMs?: number
  /** Raft snapshot threshold (entries). Default Raft's. */
  snapshotThreshold?: number
}

export interface ResolvedNodeInit {
  nodeId: string
  host: string
  port: number
  raftPort: number
  advertise: string | undefined
  raftAdvertise: string | undefined
  dataDir: string
  join: string | undefined
  auth: string | undefined
  tls: { cert: Buffer, key: Buffer, ca: Buffer } | undefined
  noSync: boolean
  openReads: boolean
  localTime: boolean
  restore: string | undefined
  followerMode: FollowerMode
  preset: RaftPreset
  respLimits: Partial<RespLimits>
  maxConnections: number
  forwardTimeoutMs: number
  snapshotThreshold: number | undefined
}

/** Parses `host:port` or `:port` (host defaults to 127.0.0.1). */
export function parseBindAddress (address: string): { host: string, port: number } {
  if (/^:\d+$/.test(address)) return { host: DEFAULT_HOST, port: Number(address.slice(1)) }
  if (/^\d+$/.test(address)) return { host: DEFAULT_HOST, port: Number(address) }
  const parsed = /^(.*):0$/.test(address) ? { host: address.slice(0, -2).replace(/^\[|\]$/g, ''), port: 0 } : parseHostPort(address)
  if (parsed === undefined) throw new InvalidConfigError('address', `'${address}' is not host:port`)
  return parsed
}

/** A join address may be `:port` too. */
export function normalizeAddress (address: string): string {
  const { host, port } = parseBindAddress(address)
  return joinHostPort(host, port)
}

export function resolveNodeInit (init: MachineNodeInit): ResolvedNodeInit {
  const { host, port } = parseBindAddress(init.address ?? `${DEFAULT_HOST}:${DEFAULT_PORT}`)
  const raftPort = init.raftPort ?? (port === 0 ? 0 : port + RAFT_PORT_OFFSET)
  if (!Number.isInteger(raftPort) || raftPort < 0 || raftPort > 65_535) throw new InvalidConfigError('raftPort', `${raftPort} is out of range (the client port + ${RAFT_PORT_OFFSET} must be a port)`)
  if (init.restore !== undefined && init.join !== undefined) throw new InvalidConfigError('restore', '--restore starts a new cluster; it cannot be used with -j')
  if (init.advertise !== undefined && parseHostPort(init.advertise) === undefined) throw new InvalidConfigError('advertise', `'${init.advertise}' is not host:port`)
  const tls = init.tls === undefined ? undefined : { cert: init.tls.cert, key: init.tls.key, ca: init.tls.ca ?? init.tls.cert }
  return {
    nodeId: init.nodeId ?? DEFAULT_NODE_ID,
    host,
    port,
    raftPort,
    advertise: init.advertise,
    raftAdvertise: init.raftAdvertise,
    dataDir: init.dataDir ?? DEFAULT_DATA_DIR,
    join: init.join === undefined ? undefined : normalizeAddress(init.join),
    auth: init.auth === '' ? undefined : init.auth,
    tls,
    noSync: init.noSync ?? false,
    openReads: init.openReads ?? false,
    localTime: init.localTime ?? false,
    restore: init.restore,
    followerMode: init.followerMode ?? 'forward',
    preset: init.preset ?? 'default',
    respLimits: init.respLimits ?? {},
    maxConnections: init.maxConnections ?? 10_000,
    forwardTimeoutMs: init.forwardTimeoutMs ?? DEFAULT_FORWARD_TIMEOUT_MS,
    snapshotThreshold: init.snapshotThreshold
  }
}
