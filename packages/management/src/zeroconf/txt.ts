import { MAX_TXT_STRING_BYTES, TXT_FORMAT_VERSION } from './constants.js'
import { checkClusterName, checkKind, checkNodeId } from './naming.js'

/**
 * What one clusterfunk record says about its node. Every record of a node
 * carries the ports of all its kinds, so any one of them is enough to reach
 * every endpoint.
 */
export interface RecordInfo {
  clusterName: string
  nodeId: string
  /** The kind this record is for (`swim`, `mgmt`, …). */
  kind: string
  /** The port of this kind. */
  port: number
  /** The port of every kind the node publishes, this one included. */
  ports: Record<string, number>
  /** The cluster protocol version the node speaks. */
  protocolVersion: number
}

/** Why a record was not accepted. */
export type TxtRejection = 'malformed' | 'version'

/** The outcome of reading a TXT record. */
export type TxtResult =
  | { ok: true, info: RecordInfo }
  | { ok: false, reason: TxtRejection, detail: string }

const MAX_KINDS = 16
const PORT_PATTERN = /^[1-9][0-9]{0,4}$/
const VERSION_PATTERN = /^[1-9][0-9]{0,8}$/

/** True when `port` is an integer in 1..65535. */
export function isPort (port: unknown): port is number {
  return typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65_535
}

function parsePort (text: string): number | undefined {
  if (!PORT_PATTERN.test(text)) return undefined
  const port = Number(text)
  return isPort(port) ? port : undefined
}

/** `mgmt:9090,swim:7946`, kinds sorted so the same ports always give the same string. */
export function encodePorts (ports: Record<string, number>): string {
  return Object.keys(ports).sort().map(kind => `${kind}:${String(ports[kind])}`).join(',')
}

/** The inverse of `encodePorts`; undefined on anything else. */
export function decodePorts (text: string): Record<string, number> | undefined {
  const ports: Record<string, number> = {}
  const entries = text.split(',')
  if (entries.length > MAX_KINDS) return undefined
  for (const entry of entries) {
    const [kind, port, extra] = entry.split(':')
    if (kind === undefined || port === undefined || extra !== undefined) return undefined
    const value = parsePort(port)
    if (checkKind(kind) !== undefined || value === undefined || Object.hasOwn(ports, kind)) return undefined
    ports[kind] = value
  }
  return ports
}

/**
 * The TXT key/value pairs of one record: `v` (layout version), `cluster`,
 * `node`, `kind`, `port`, `ports` and `proto`. Throws `RangeError` when a
 * value is invalid or a pair would not fit one TXT string (255 bytes).
 */
export function encodeTxt (info: RecordInfo): Record<string, string> {
  const problem = checkClusterName(info.clusterName) ?? checkNodeId(info.nodeId) ?? checkKind(info.kind)
  if (problem !== undefined) throw new RangeError(`cannot encode TXT: ${problem}`)
  if (!isPort(info.port) || info.ports[info.kind] !== info.port) throw new RangeError(`cannot encode TXT: bad port for kind ${info.kind}`)
  if (!Number.isInteger(info.protocolVersion) || info.protocolVersion < 1) throw new RangeError('cannot encode TXT: protocolVersion must be an integer ≥ 1')
  const txt: Record<string, string> = {
    v: TXT_FORMAT_VERSION,
    cluster: info.clusterName,
    node: info.nodeId,
    kind: info.kind,
    port: String(info.port),
    ports: encodePorts(info.ports),
    proto: String(info.protocolVersion)
  }
  if (decodePorts(txt.ports ?? '') === undefined) throw new RangeError('cannot encode TXT: ports must map 1..16 valid kinds to ports 1..65535')
  for (const [key, value] of Object.entries(txt)) {
    const bytes = Buffer.byteLength(`${key}=${value}`)
    if (bytes > MAX_TXT_STRING_BYTES) throw new RangeError(`cannot encode TXT: ${key} takes ${bytes} bytes, at most ${MAX_TXT_STRING_BYTES} fit`)
  }
  return txt
}

function text (txt: Record<string, unknown>, key: string): string | undefined {
  const value = Object.hasOwn(txt, key) ? txt[key] : undefined
  return typeof value === 'string' ? value : undefined
}

/**
 * Reads the TXT pairs of a record as decoded from the network (values are
 * strings, or anything else when the record is broken). Never throws:
 * anything that is not a valid record of a layout this code knows is
 * rejected with a reason (`version` for a layout from a newer release,
 * `malformed` for the rest).
 */
export function decodeTxt (txt: unknown): TxtResult {
  if (typeof txt !== 'object' || txt === null) return { ok: false, reason: 'malformed', detail: 'no TXT record' }
  const pairs = txt as Record<string, unknown>
  const version = text(pairs, 'v')
  if (version === undefined) return { ok: false, reason: 'malformed', detail: 'no layout version (v)' }
  if (version !== TXT_FORMAT_VERSION) return { ok: false, reason: 'version', detail: `layout version ${version}` }
  const clusterName = text(pairs, 'cluster')
  const nodeId = text(pairs, 'node')
  const kind = text(pairs, 'kind')
  if (checkClusterName(clusterName) !== undefined) return { ok: false, reason: 'malformed', detail: 'bad cluster name' }
  if (checkNodeId(nodeId) !== undefined) return { ok: false, reason: 'malformed', detail: 'bad node id' }
  if (checkKind(kind) !== undefined) return { ok: false, reason: 'malformed', detail: 'bad kind' }
  const port = parsePort(text(pairs, 'port') ?? '')
  const ports = decodePorts(text(pairs, 'ports') ?? '')
  if (port === undefined || ports === undefined) return { ok: false, reason: 'malformed', detail: 'bad port or ports' }
  if (ports[kind as string] !== port) return { ok: false, reason: 'malformed', detail: 'port disagrees with ports' }
  const proto = text(pairs, 'proto') ?? ''
  if (!VERSION_PATTERN.test(proto)) return { ok: false, reason: 'malformed', detail: 'bad protocol version' }
  return {
    ok: true,
    info: { clusterName: clusterName as string, nodeId: nodeId as string, kind: kind as string, port, ports, protocolVersion: Number(proto) }
  }
}
