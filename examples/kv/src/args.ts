import { existsSync, readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { parseArgs } from 'node:util'

/** What `kv-server` is started with. */
export interface ServerArgs {
  id: string | undefined
  /** The IP address every part binds and advertises. */
  host: string
  dataDir: string
  httpPort: number
  swimPort: number
  raftPort: number
  livenessPort: number
  mgmtPort: number
  join: string[]
  bootstrapExpect: number | undefined
  shards: number | undefined
  /** Owners a shard (1: a cache; 2 or more: writes reach every owner before they are acknowledged). */
  replicationFactor: number
  cluster: string
  zeroconf: boolean
  /** Cluster token (Raft proof, management bearer token); from --token or --token-file. */
  token: string | undefined
  /** Gossip encryption keys, base64, primary first. */
  gossipKeys: string[]
  /** TLS files for every gRPC channel, when --tls-cert is given. */
  tls: { cert: string, key: string, ca: string | undefined, mutual: boolean } | undefined
  metricsPort: number | undefined
  /** Serve the live status page at /status on the metrics server (needs --metrics-port). */
  statusPage: boolean
  /** Store bounds and the largest value accepted. */
  maxEntries: number
  maxBytes: number
  maxValueBytes: number
  /**
   * Forward writes to `ep.kv` endpoints learned from unauthenticated gossip
   * even though the node is secured (token or TLS) without a gossip key.
   */
  trustGossipEndpoints: boolean
  /** Timing: the cluster's preset and any timing set on its own (absent: the preset's). */
  timing: TimingArgs
}

/** The cluster timings a `kv-server` flag sets. */
export interface TimingArgs {
  preset: 'stable' | 'fast' | undefined
  raftPreset: 'default' | 'fast' | undefined
  leaseMs: number | undefined
  ackTimeoutMs: number | undefined
  livenessIntervalMs: number | undefined
  livenessRetries: number | undefined
}

/** Store bounds when no flag says otherwise: 100 000 entries, 256 MiB, 1 MiB a value. */
export const DEFAULT_MAX_ENTRIES = 100_000
export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024
export const DEFAULT_MAX_VALUE_BYTES = 1024 * 1024

/** A bad command line: the message says which flag and what to fix. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

export const SERVER_USAGE = `usage: kv-server --data-dir <dir> [options]
  --id <id>                 node id (default: random, kept in the data dir)
  --data-dir <dir>          Raft log, snapshots and node id (required)
  --host <ip>               the address every part binds and advertises (default 127.0.0.1)
  --http-port <port>        the kv HTTP API (default 0: a free port)
  --swim-port <port>        SWIM gossip (default 7946; 0: a free port)
  --raft-port <port>        Raft (default 0)
  --liveness-port <port>    liveness UDP (default 0)
  --mgmt-port <port>        management gRPC, what funkctl talks to (default 0)
  --join <host:port>        SWIM address of a node to join (repeatable, or comma-separated)
  --bootstrap-expect <n>    first start: wait for n nodes, then bootstrap them
  --shards <n>              shards in the map (default 10000)
  --replication-factor <r>  owners a shard, 1..8 (default 1: a cache; 2+: writes go to every owner before the ack)
  --cluster <name>          cluster name (default kv)
  --zeroconf                also find peers by multicast DNS (off: loopback only)
security:
  --token <secret>          cluster token, at least 8 characters (visible in ps: prefer --token-file)
  --token-file <path>       read the cluster token from a file (first line)
  --gossip-key <base64>     gossip encryption key, 32 bytes base64 (repeatable, primary first)
  --tls-cert <path>         TLS certificate (PEM) for Raft and management gRPC; must name IP:127.0.0.1
  --tls-key <path>          its private key (PEM), required with --tls-cert
  --tls-ca <path>           CA that signed the cluster's certificates (default: --tls-cert itself)
  --tls-mutual              require client certificates on the management API too
  --metrics-port <port>     serve Prometheus /metrics, /health and /ready on 127.0.0.1 (default: none)
  --status-page             serve the live status page at /status on the metrics port (needs --metrics-port)
  --trust-gossip-endpoints  forward writes to endpoints learned from unencrypted gossip on a secured node
limits:
  --max-entries <n>         entries the store holds at most (default 100000)
  --max-bytes <n>           bytes of keys and values the store holds at most (default 268435456)
  --max-value-bytes <n>     largest value accepted (default 1048576)
timing (the cluster's presets; see the cluster README):
  --timing <preset>         stable (default: holds on a busy host) or fast (finds failures in ~0.5 s on a quiet host)
  --raft-preset <preset>    Raft timings: default (heartbeat 100 ms, election 1-2 s) or fast (50 ms, 150-300 ms)
  --lease-ms <ms>           serving lease: how long a node serves after it last reached the leader
  --ack-timeout-ms <ms>     how long the leader waits for a node's ack of a new map
  --liveness-interval-ms <ms>  the leader's liveness probe interval
  --liveness-retries <n>    missed probes that make a node dead`

function port (flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (!/^\d+$/.test(raw) || n > 65_535) throw new UsageError(`--${flag} must be a port number 0..65535, not "${raw}"`)
  return n
}

function positive (flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined
  const n = Number(raw)
  if (!/^\d+$/.test(raw) || n < 1 || !Number.isSafeInteger(n)) throw new UsageError(`--${flag} must be a whole number above 0, not "${raw}"`)
  return n
}

/** Parses the `kv-server` flags. @throws UsageError naming the flag at fault */
export function parseServerArgs (argv: readonly string[]): ServerArgs {
  let values
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        id: { type: 'string' },
        'data-dir': { type: 'string' },
        host: { type: 'string' },
        'http-port': { type: 'string' },
        'swim-port': { type: 'string' },
        'raft-port': { type: 'string' },
        'liveness-port': { type: 'string' },
        'mgmt-port': { type: 'string' },
        join: { type: 'string', multiple: true },
        'bootstrap-expect': { type: 'string' },
        shards: { type: 'string' },
        'replication-factor': { type: 'string' },
        cluster: { type: 'string' },
        zeroconf: { type: 'boolean' },
        token: { type: 'string' },
        'token-file': { type: 'string' },
        'gossip-key': { type: 'string', multiple: true },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'tls-ca': { type: 'string' },
        'tls-mutual': { type: 'boolean' },
        'metrics-port': { type: 'string' },
        'status-page': { type: 'boolean' },
        'trust-gossip-endpoints': { type: 'boolean' },
        'max-entries': { type: 'string' },
        'max-bytes': { type: 'string' },
        'max-value-bytes': { type: 'string' },
        timing: { type: 'string' },
        'raft-preset': { type: 'string' },
        'lease-ms': { type: 'string' },
        'ack-timeout-ms': { type: 'string' },
        'liveness-interval-ms': { type: 'string' },
        'liveness-retries': { type: 'string' }
      }
    }))
  } catch (err) {
    // parseArgs names the unknown flag or missing value; keep its words, drop its error code.
    throw new UsageError((err as Error).message)
  }
  const dataDir = values['data-dir']
  if (dataDir === undefined || dataDir === '') throw new UsageError('--data-dir is required: the Raft log and the node id live there')
  const join = (values.join ?? []).flatMap(j => j.split(',')).map(j => j.trim()).filter(j => j !== '')
  for (const j of join) {
    if (!/^[^\s:]+:\d{1,5}$/.test(j)) throw new UsageError(`--join takes host:port SWIM addresses, not "${j}"`)
  }
  const cluster = values.cluster ?? 'kv'
  if (!/^[A-Za-z0-9-]{1,40}$/.test(cluster)) throw new UsageError('--cluster must be 1..40 letters, digits or dashes')
  if (values['status-page'] === true && values['metrics-port'] === undefined) throw new UsageError('--status-page needs --metrics-port: the page is served on the metrics port')
  const host = values.host ?? '127.0.0.1'
  if (isIP(host) === 0) throw new UsageError(`--host must be an IP address this node binds and advertises, not "${host}"`)
  return {
    id: values.id,
    host,
    dataDir,
    httpPort: port('http-port', values['http-port'], 0),
    swimPort: port('swim-port', values['swim-port'], 7946),
    raftPort: port('raft-port', values['raft-port'], 0),
    livenessPort: port('liveness-port', values['liveness-port'], 0),
    mgmtPort: port('mgmt-port', values['mgmt-port'], 0),
    join,
    bootstrapExpect: positive('bootstrap-expect', values['bootstrap-expect']),
    shards: positive('shards', values.shards),
    replicationFactor: replicationFactor(values['replication-factor']),
    cluster,
    zeroconf: values.zeroconf === true,
    token: token(values.token, values['token-file']),
    gossipKeys: (values['gossip-key'] ?? []).map(gossipKey),
    tls: tls(values['tls-cert'], values['tls-key'], values['tls-ca'], values['tls-mutual'] === true),
    metricsPort: values['metrics-port'] === undefined ? undefined : port('metrics-port', values['metrics-port'], 0),
    statusPage: values['status-page'] === true,
    maxEntries: positive('max-entries', values['max-entries']) ?? DEFAULT_MAX_ENTRIES,
    maxBytes: positive('max-bytes', values['max-bytes']) ?? DEFAULT_MAX_BYTES,
    maxValueBytes: positive('max-value-bytes', values['max-value-bytes']) ?? DEFAULT_MAX_VALUE_BYTES,
    trustGossipEndpoints: values['trust-gossip-endpoints'] === true,
    timing: {
      preset: oneOf('timing', values.timing, ['stable', 'fast'] as const),
      raftPreset: oneOf('raft-preset', values['raft-preset'], ['default', 'fast'] as const),
      leaseMs: positive('lease-ms', values['lease-ms']),
      ackTimeoutMs: positive('ack-timeout-ms', values['ack-timeout-ms']),
      livenessIntervalMs: positive('liveness-interval-ms', values['liveness-interval-ms']),
      livenessRetries: positive('liveness-retries', values['liveness-retries'])
    }
  }
}

function oneOf<T extends string> (flag: string, raw: string | undefined, choices: readonly T[]): T | undefined {
  if (raw === undefined) return undefined
  if (!(choices as readonly string[]).includes(raw)) throw new UsageError(`--${flag} must be ${choices.join(' or ')}, not "${raw}"`)
  return raw as T
}

function replicationFactor (raw: string | undefined): number {
  if (raw === undefined) return 1
  const r = Number(raw)
  if (!Number.isInteger(r) || r < 1 || r > 8) throw new UsageError(`--replication-factor must be a whole number from 1 to 8, not "${raw}"`)
  return r
}

function token (raw: string | undefined, file: string | undefined): string | undefined {
  if (raw !== undefined && file !== undefined) throw new UsageError('give --token or --token-file, not both')
  let t = raw
  if (file !== undefined) {
    try {
      t = (readFileSync(file, 'utf8').split(/\r?\n/)[0] ?? '').trim()
    } catch (err) {
      throw new UsageError(`--token-file: cannot read ${file}: ${(err as Error).message}`)
    }
  }
  if (t !== undefined && t.length < 8) throw new UsageError(`--token${file === undefined ? '' : '-file'}: the token must be at least 8 characters`)
  return t
}

function gossipKey (raw: string): string {
  // Checked here so a typo is a usage error at once, not a failed start after the HTTP port is bound.
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(raw) || Buffer.from(raw, 'base64').length !== 32) {
    throw new UsageError(`--gossip-key must be 32 bytes in base64 (44 characters), not "${raw.length > 12 ? `${raw.slice(0, 12)}…` : raw}"`)
  }
  return raw
}

function readable (flag: string, file: string): string {
  if (!existsSync(file)) throw new UsageError(`--${flag}: no such file ${file}`)
  return file
}

function tls (cert: string | undefined, key: string | undefined, ca: string | undefined, mutual: boolean): ServerArgs['tls'] {
  if (cert === undefined) {
    if (key !== undefined || ca !== undefined || mutual) throw new UsageError('--tls-key, --tls-ca and --tls-mutual need --tls-cert')
    return undefined
  }
  if (key === undefined) throw new UsageError('--tls-cert needs --tls-key: the certificate\'s private key')
  return { cert: readable('tls-cert', cert), key: readable('tls-key', key), ca: ca === undefined ? undefined : readable('tls-ca', ca), mutual }
}
