import type { RespFrame } from './resp-frame.js'

/** A reply frame as JSON: bulk → string, map → object (keys as text), null → null, error → `{ error }`, big number → string. */
export function frameToJson (frame: RespFrame): unknown {
  switch (frame.type) {
    case 'simple': return frame.value
    case 'error': return { error: frame.value }
    case 'bulkError': return { error: frame.value.toString() }
    case 'integer': case 'double': case 'boolean': return Number.isFinite(frame.value) || typeof frame.value === 'boolean' ? frame.value : String(frame.value)
    case 'bignum': return frame.value.toString()
    case 'bulk': return frame.value === null ? null : frame.value.toString()
    case 'verbatim': return frame.value.toString()
    case 'null': return null
    case 'array': return frame.value === null ? null : frame.value.map(frameToJson)
    case 'set': case 'push': return frame.value.map(frameToJson)
    case 'map': return Object.fromEntries(frame.value.map(([k, v]) => [String(frameToJson(k)), frameToJson(v)]))
  }
}
