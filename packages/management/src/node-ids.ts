import { InvalidArgumentError } from '@clusterfunk/core'

/**
 * What a node id may be: 1..64 letters, digits, dots, dashes or
 * underscores. The `Cluster` enforces it on its own id (option or generated),
 * so an id outside it can name no member; the management server refuses such
 * ids at the wire instead of carrying them into errors, logs and metadata.
 */
export const NODE_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/

/** What `NODE_ID_PATTERN` allows, in words, for error messages. */
export const NODE_ID_RULE = '1..64 letters, digits, dots, dashes or underscores'

/** True when `id` is a string a node id can be. */
export function isValidNodeId (id: unknown): id is string {
  return typeof id === 'string' && NODE_ID_PATTERN.test(id)
}

/**
 * `id` when it is a valid node id.
 * @throws InvalidArgumentError naming the rule (the id is quoted and cut short, never echoed raw)
 */
export function checkNodeId (id: unknown, what = 'node id'): string {
  if (isValidNodeId(id)) return id
  const shown = typeof id === 'string' ? JSON.stringify(id.length > 80 ? `${id.slice(0, 80)}…` : id) : typeof id
  throw new InvalidArgumentError(`${what} ${shown} is not valid: ${NODE_ID_RULE}`)
}
