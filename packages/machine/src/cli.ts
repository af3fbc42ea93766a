import { readFileSync } from 'node:fs'
import path from 'node:path'
import { Command, InvalidArgumentError, Option } from 'commander'
import { createLogger, type LogLevel } from '@clusterfunk/core'
import { DEFAULT_DATA_DIR, DEFAULT_HOST, DEFAULT_NODE_ID, DEFAULT_PORT, RAFT_PORT_OFFSET } from './constants.js'
import type { MachineDefinition } from './definition.js'
import { MachineNode, type ServiceFactory } from './machine-node.js'
import { httpService } from './http-service.js'
import type { FollowerMode, MachineNodeInit } from './node-options.js'

/** uhaha's log levels, mapped onto the project logger's. */
const LOG_LEVELS: Record<string, LogLevel | 'silent'> = { debug: 'trace', verb: 'debug', info: 'info', warn: 'warn', silent: 'silent' }

/** The flags as parsed. */
export interface CliOptions {
  nodeId: string
  addr: string
  dir: string
  join?: string
  logLevel: string
  tlsCert?: string
  tlsKey?: string
  tlsCa?: string
  auth?: string
  advertise?: string
  raftPort?: number
  nosync: boolean
  openreads: boolean
  localtime: boolean
  restore?: string
  followerMode: FollowerMode
  preset: 'default' | 'fast'
}

function port (value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new InvalidArgumentError('a port is an integer in 0..65535')
  return n
}

/** The command line of an application (uhaha's flags), parsed by commander. */
export function buildCommand (def: MachineDefinition<unknown, unknown>): Command {
  return new Command(def.name)
    .usage('[-n id] [-a addr] [options]')
    .description(`${def.name}: a Raft service that Redis clients talk to`)
    .version(def.version, '-v, --version', 'display version')
    .helpOption('-h, --help', 'display help, this screen')
    .option('-n, --node-id <id>', 'node ID', DEFAULT_NODE_ID)
    .option('-a, --addr <addr>', 'bind to address', `${DEFAULT_HOST}:${DEFAULT_PORT}`)
    .option('-d, --dir <dir>', 'data directory (each node uses <dir>/<name>-<id>)', DEFAULT_DATA_DIR)
    .option('-j, --join <addr>', 'address of a member of a cluster to join (the leader adds this node)')
    .addOption(new Option('-l, --log-level <level>', 'log level').choices(Object.keys(LOG_LEVELS)).default('info'))
    .option('--tls-cert <path>', 'path to TLS certificate (clients and servers)')
    .option('--tls-key <path>', 'path to TLS private key')
    .option('--tls-ca <path>', 'CA that signed the members\' certificates (default: the certificate itself)')
    .option('--auth <auth>', 'cluster authorization, shared by all servers and clients')
    .option('--advertise <addr>', 'advertise address (default: network bound address)')
    .option('--raft-port <port>', `port of the Raft (gRPC) service (default: the client port + ${RAFT_PORT_OFFSET})`, port)
    .option('--nosync', 'turn off syncing data to disk after every write (faster; a power failure may lose data)', false)
    .option('--openreads', 'allow followers to process read commands, maybe returning stale data', false)
    .option('--localtime', 'stamp entries with the leader\'s wall clock as it is (default: the leader advances the machine time by its monotonic clock)', false)
    .option('--restore <path>', 'start a new single-node cluster from a snapshot file (ignored when the data directory exists; not with -j)')
    .addOption(new Option('--follower-mode <mode>', 'what a follower does with a write').choices(['forward', 'moved', 'try']).default('forward'))
    .addOption(new Option('--preset <preset>', 'Raft timing preset').choices(['default', 'fast']).default('default'))
    .showHelpAfterError()
}

/** Node options from parsed flags (reads the TLS files). */
export function nodeInitFromFlags (def: MachineDefinition<unknown, unknown>, o: CliOptions): MachineNodeInit {
  if ((o.tlsCert === undefined) !== (o.tlsKey === undefined)) throw new InvalidArgumentError('--tls-cert and --tls-key go together')
  if (o.restore !== undefined && o.join !== undefined) throw new InvalidArgumentError('--restore cannot be used with -j')
  const tls = o.tlsCert === undefined || o.tlsKey === undefined
    ? undefined
    : { cert: readFileSync(o.tlsCert), key: readFileSync(o.tlsKey), ...(o.tlsCa === undefined ? {} : { ca: readFileSync(o.tlsCa) }) }
  return {
    nodeId: o.nodeId,
    address: o.addr,
    dataDir: path.join(o.dir, `${def.name}-${o.nodeId}`),
    ...(o.join === undefined ? {} : { join: o.join }),
    ...(o.auth === undefined ? {} : { auth: o.auth }),
    ...(tls === undefined ? {} : { tls }),
    ...(o.advertise === undefined ? {} : { advertise: o.advertise }),
    ...(o.raftPort === undefined ? {} : { raftPort: o.raftPort }),
    noSync: o.nosync,
    openReads: o.openreads,
    localTime: o.localtime,
    ...(o.restore === undefined ? {} : { restore: o.restore }),
    followerMode: o.followerMode,
    preset: o.preset
  }
}

/**
 * Runs an application as a process (uhaha's Main): parses the command line
 * (`argv` as process.argv), starts the node, and stops it on SIGINT or
 * SIGTERM. A bad flag prints a message and exits with code 1. Services
 * sharing the client port: `components.services`, default the HTTP one
 * (`httpService`: JSON commands and `/metrics`).
 */
export async function main<Data, Context> (
  def: MachineDefinition<Data, Context>,
  argv: readonly string[] = process.argv,
  components: { services?: ServiceFactory[] } = {}
): Promise<MachineNode<Data, Context>> {
  const anyDef = def as unknown as MachineDefinition<unknown, unknown>
  const command = buildCommand(anyDef)
  command.parse(argv as string[])
  const o = command.opts<CliOptions>()
  let init: MachineNodeInit | undefined
  try {
    init = nodeInitFromFlags(anyDef, o)
  } catch (err) {
    command.error(`error: ${err instanceof Error ? err.message : String(err)}`)
  }
  if (init === undefined) throw new Error('unreachable: command.error exits')
  const logger = createLogger(def.name, { level: LOG_LEVELS[o.logLevel] ?? 'info' })
  const node = new MachineNode(def, init, { logger, services: components.services ?? [httpService()] })
  const stop = (): void => {
    node.stop().then(() => { process.exitCode = 0 }, () => { process.exitCode = 1 })
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  try {
    await node.start()
  } catch (err) {
    logger.error('could not start', { error: err instanceof Error ? err.message : String(err) })
    process.removeListener('SIGINT', stop)
    process.removeListener('SIGTERM', stop)
    process.exitCode = 1
    throw err
  }
  return node
}
