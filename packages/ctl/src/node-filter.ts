import type { NodeSummary } from '@clusterfunk/management'
import { UsageError } from './exit-codes.js'

/** `funkctl nodes` filters, as `serf members -status -tag` has them. */
export interface NodeFilters {
  /** SWIM status, matched whole and case-insensitively: a regular expression such as `alive` or `alive|suspect`. */
  status?: string
  /** `key=value` pairs: the node publishes tag `ep.<key>` (or `<key>`) whose value matches `value` whole (a regular expression). All must match. */
  tags?: readonly string[]
}

function wholeMatch (pattern: string, flag: string, flags = ''): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`, flags)
  } catch (err) {
    throw new UsageError(`${flag} "${pattern}" is not a regular expression: ${err instanceof Error ? err.message : String(err)}`)
  }
}

/** The nodes that pass every filter, in their order. @throws UsageError for a malformed filter */
export function filterNodes (nodes: readonly NodeSummary[], filters: NodeFilters): NodeSummary[] {
  const status = filters.status === undefined ? undefined : wholeMatch(filters.status, '--status', 'i')
  const tags = (filters.tags ?? []).map(t => {
    const eq = t.indexOf('=')
    if (eq <= 0) throw new UsageError(`--tag must be key=value (such as http=.*:8080), not "${t}"`)
    const key = t.slice(0, eq)
    return { key: key.startsWith('ep.') ? key.slice(3) : key, value: wholeMatch(t.slice(eq + 1), '--tag') }
  })
  return nodes.filter(n =>
    (status === undefined || status.test(n.swim)) &&
    tags.every(t => n.endpoints.some(e => e.name === t.key && t.value.test(e.address))))
}
