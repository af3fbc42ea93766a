import { MAX_INSTANCE_BYTES } from './constants.js'

/**
 * Instance names are `<cluster>_<kind>_<nodeId>` (clusterfunk's layout), one
 * DNS label. The cluster name and the kind cannot hold `_`, so a name splits
 * back unambiguously at its first two underscores; the node id may hold
 * `_`. Dots are left out everywhere: a dot would split the label.
 */
export const CLUSTER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{0,39}$/
/** Record kinds: `swim`, `mgmt`, `raft`, … */
export const KIND_PATTERN = /^[a-z][a-z0-9-]{0,15}$/
/** Node ids that fit an instance name. */
export const NODE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/

/** The parts of an instance name. */
export interface InstanceParts {
  clusterName: string
  kind: string
  nodeId: string
}

/** Why a name part is not acceptable, or undefined when it is. */
export function checkClusterName (name: unknown): string | undefined {
  if (typeof name !== 'string' || !CLUSTER_NAME_PATTERN.test(name)) {
    return 'must be 1..40 characters of A-Z, a-z, 0-9 and "-", starting with a letter or digit'
  }
  return undefined
}

/** Why a kind is not acceptable, or undefined when it is. */
export function checkKind (kind: unknown): string | undefined {
  if (typeof kind !== 'string' || !KIND_PATTERN.test(kind)) {
    return 'must be 1..16 characters of a-z, 0-9 and "-", starting with a letter'
  }
  return undefined
}

/** Why a node id is not acceptable, or undefined when it is (its length is checked with the whole instance name). */
export function checkNodeId (nodeId: unknown): string | undefined {
  if (typeof nodeId !== 'string' || !NODE_ID_PATTERN.test(nodeId)) {
    return 'must be characters of A-Z, a-z, 0-9, "-" and "_", starting with a letter or digit'
  }
  return undefined
}

/**
 * The instance name of one record. Throws `RangeError` when a part is
 * invalid or the name does not fit one DNS label (63 bytes); callers
 * validate their options first and turn that into `InvalidConfigError`.
 */
export function instanceName (parts: InstanceParts): string {
  const problem = checkClusterName(parts.clusterName) ?? checkKind(parts.kind) ?? checkNodeId(parts.nodeId)
  if (problem !== undefined) throw new RangeError(`invalid instance name part: ${problem}`)
  const name = `${parts.clusterName}_${parts.kind}_${parts.nodeId}`
  if (name.length > MAX_INSTANCE_BYTES) {
    throw new RangeError(`instance name ${name} is ${name.length} bytes; at most ${MAX_INSTANCE_BYTES} fit in a DNS label`)
  }
  return name
}

/** Splits an instance name into its parts; undefined when it is not one of ours. */
export function parseInstanceName (name: unknown): InstanceParts | undefined {
  if (typeof name !== 'string' || name.length > MAX_INSTANCE_BYTES) return undefined
  const first = name.indexOf('_')
  const second = first < 0 ? -1 : name.indexOf('_', first + 1)
  if (second < 0) return undefined
  const parts = { clusterName: name.slice(0, first), kind: name.slice(first + 1, second), nodeId: name.slice(second + 1) }
  if (checkClusterName(parts.clusterName) !== undefined || checkKind(parts.kind) !== undefined || checkNodeId(parts.nodeId) !== undefined) {
    return undefined
  }
  return parts
}
