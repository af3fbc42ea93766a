import { parseArgs } from 'node:util'

/** What `kv-server` is started with. */
export interface ServerArgs {
  id: string | undefined
  dataDir: string
  httpPort: number
  swimPort: number
  raftPort: number
  livenessPort: number
  mgmtPort: number
  join: string[]
  bootstrapExpect: number | undefined
  shards: number | undefined
  cluster: string
  zeroconf: boolean
}

/** A bad command line: the message says which flag and what to fix. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

export const SERVER_USAGE = `usage: kv-server --data-dir <dir> [options]
  --id <id>                 node id (default: random, kept in the data dir)
  --data-dir <dir>          Raft log, snapshots and node id (required)
  --http-port <port>        the kv HTTP API on 127.0.0.1 (default 0: a free port)
  --swim-port <port>        SWIM gossip (default 7946; 0: a free port)
  --raft-port <port>        Raft (default 0)
  --liveness-port <port>    liveness UDP (default 0)
  --mgmt-port <port>        management gRPC, what funkctl talks to (default 0)
  --join <host:port>        SWIM address of a node to join (repeatable, or comma-separated)
  --bootstrap-expect <n>    first start: wait for n nodes, then bootstrap them
  --shards <n>              shards in the map (default 10000)
  --cluster <name>          cluster name (default kv)
  --zeroconf                also find peers by multicast DNS (off: loopback only)`

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
        'http-port': { type: 'string' },
        'swim-port': { type: 'string' },
        'raft-port': { type: 'string' },
        'liveness-port': { type: 'string' },
        'mgmt-port': { type: 'string' },
        join: { type: 'string', multiple: true },
        'bootstrap-expect': { type: 'string' },
        shards: { type: 'string' },
        cluster: { type: 'string' },
        zeroconf: { type: 'boolean' }
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
  return {
    id: values.id,
    dataDir,
    httpPort: port('http-port', values['http-port'], 0),
    swimPort: port('swim-port', values['swim-port'], 7946),
    raftPort: port('raft-port', values['raft-port'], 0),
    livenessPort: port('liveness-port', values['liveness-port'], 0),
    mgmtPort: port('mgmt-port', values['mgmt-port'], 0),
    join,
    bootstrapExpect: positive('bootstrap-expect', values['bootstrap-expect']),
    shards: positive('shards', values.shards),
    cluster,
    zeroconf: values.zeroconf === true
  }
}
