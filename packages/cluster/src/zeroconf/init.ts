import { hostname } from 'node:os'
import { isIP } from 'node:net'
import { InvalidConfigError } from '@clusterfunk/core'
import { DEFAULT_PROTOCOL_VERSION, DEFAULT_PUBLISH_TIMEOUT_MS, DEFAULT_QUERY_INTERVAL_MS, MDNS_PORT } from './constants.js'
import { checkClusterName, checkKind, checkNodeId, encodeTxt, instanceName, isPort } from '@clusterfunk/management'

/** Options of a `Zeroconf`. Only `clusterName` is always required. */
export interface ZeroconfInit {
  /** The cluster: only records of this cluster are reported. */
  clusterName: string
  /** This node's id: names its records, and records carrying it are ignored. Required when `records` is not empty. */
  nodeId?: string
  /** What to publish: kind → port (`{ swim: 7946, mgmt: 9090 }`), one record a kind. Default none (browse only). */
  records?: Record<string, number>
  /** The cluster protocol version advertised in every record. Default 1. */
  protocolVersion?: number
  /** The host name the records point at (SRV target). Default `<first label of os.hostname()>.local`. */
  host?: string
  /**
   * The addresses published for `host` (A/AAAA records). Default: those of
   * every non-loopback interface (bonjour-service's choice). Set it to
   * publish loopback or a chosen subset.
   */
  addresses?: readonly string[]
  /** IPv4 address of the one interface to send and receive mDNS on. Default every interface. */
  interface?: string
  /** Address the mDNS socket binds. Default all (`0.0.0.0`), which multicast reception needs. */
  bind?: string
  /** mDNS port. Default 5353; other values only make sense for tests. */
  port?: number
  /** Leave IPv6 addresses out of the published records. Default false. */
  disableIPv6?: boolean
  /** How often to query the network again and drop expired records (ms). Default 10 000. */
  queryIntervalMs?: number
  /** How long `start()` waits for its records to be announced (ms). Default 5 000. */
  publishTimeoutMs?: number
}

/** `ZeroconfInit` with every default applied and every value checked. */
export interface ResolvedZeroconfInit {
  clusterName: string
  nodeId: string | undefined
  records: Record<string, number>
  protocolVersion: number
  host: string
  addresses: readonly string[] | undefined
  interface: string | undefined
  bind: string
  port: number
  disableIPv6: boolean
  queryIntervalMs: number
  publishTimeoutMs: number
}

const HOST_PATTERN = /^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$/

/** `<first label of the host name>.local`, reduced to characters a DNS label allows. */
export function defaultHost (): string {
  const label = (hostname().split('.')[0] ?? '').replace(/[^A-Za-z0-9-]/g, '-').replace(/^-+/, '').slice(0, 63)
  return `${label === '' ? 'clusterfunk' : label}.local`
}

function positive (option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isFinite(value) || value <= 0) throw new InvalidConfigError(option, 'must be a positive number of milliseconds')
  return value
}

/** Applies defaults and validates; throws `InvalidConfigError` naming the option at fault. */
export function resolveZeroconfInit (init: ZeroconfInit): ResolvedZeroconfInit {
  const nameProblem = checkClusterName(init.clusterName)
  if (nameProblem !== undefined) throw new InvalidConfigError('clusterName', nameProblem)
  const records = { ...(init.records ?? {}) }
  const kinds = Object.keys(records)
  if (kinds.length > 16) throw new InvalidConfigError('records', 'at most 16 kinds')
  for (const kind of kinds) {
    const problem = checkKind(kind)
    if (problem !== undefined) throw new InvalidConfigError('records', `kind ${JSON.stringify(kind)} ${problem}`)
    if (!isPort(records[kind])) throw new InvalidConfigError('records', `the port of ${kind} must be an integer in 1..65535`)
  }
  if (init.nodeId !== undefined || kinds.length > 0) {
    const problem = checkNodeId(init.nodeId)
    if (problem !== undefined) throw new InvalidConfigError('nodeId', `${problem} (required when publishing records)`)
  }
  const protocolVersion = init.protocolVersion ?? DEFAULT_PROTOCOL_VERSION
  if (!Number.isInteger(protocolVersion) || protocolVersion < 1 || protocolVersion > 999_999_999) {
    throw new InvalidConfigError('protocolVersion', 'must be an integer in 1..999999999')
  }
  for (const kind of kinds) {
    try {
      instanceName({ clusterName: init.clusterName, kind, nodeId: init.nodeId as string })
      encodeTxt({ clusterName: init.clusterName, nodeId: init.nodeId as string, kind, port: records[kind] as number, ports: records, protocolVersion })
    } catch (err) {
      throw new InvalidConfigError('nodeId', (err as Error).message)
    }
  }
  const host = init.host ?? defaultHost()
  if (!HOST_PATTERN.test(host) || host.length > 253) throw new InvalidConfigError('host', 'must be a DNS host name such as node-a.local')
  if (init.addresses !== undefined && init.addresses.some(a => isIP(a) === 0)) {
    throw new InvalidConfigError('addresses', 'must be IP address literals')
  }
  if (init.interface !== undefined && isIP(init.interface) !== 4) throw new InvalidConfigError('interface', 'must be an IPv4 address of a local interface')
  if (init.bind !== undefined && isIP(init.bind) === 0) throw new InvalidConfigError('bind', 'must be an IP address literal')
  const port = init.port ?? MDNS_PORT
  if (!isPort(port)) throw new InvalidConfigError('port', 'must be an integer in 1..65535')
  return {
    clusterName: init.clusterName,
    nodeId: init.nodeId,
    records,
    protocolVersion,
    host,
    addresses: init.addresses === undefined ? undefined : [...init.addresses],
    interface: init.interface,
    bind: init.bind ?? '0.0.0.0',
    port,
    disableIPv6: init.disableIPv6 ?? false,
    queryIntervalMs: positive('queryIntervalMs', init.queryIntervalMs, DEFAULT_QUERY_INTERVAL_MS),
    publishTimeoutMs: positive('publishTimeoutMs', init.publishTimeoutMs, DEFAULT_PUBLISH_TIMEOUT_MS)
  }
}
