/**
 * Addresses are `"<node>:<port>"` strings such as `"n1:7946"`. Faults that
 * model machines (partitions, per-link settings) apply to the node part, so
 * every port of a node is cut off together.
 */
export function nodeOf (address: string): string {
  const colon = address.lastIndexOf(':')
  return colon <= 0 ? address : address.slice(0, colon)
}
