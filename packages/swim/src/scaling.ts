/** How the protocol's costs scale with the number of members N. */

/** Members beyond which the push/pull interval grows. */
export const PUSH_PULL_SCALE_THRESHOLD = 32

/** Times each broadcast is sent: mult · ⌈log10(N + 1)⌉ (memberlist's retransmitLimit). */
export function retransmitLimit (retransmitMult: number, members: number): number {
  return retransmitMult * Math.ceil(Math.log10(Math.max(0, members) + 1))
}

/**
 * The push/pull interval for N members: the base interval up to 32 members,
 * then (⌈log2 N − log2 32⌉ + 1) times it, so full-state syncs do not saturate
 * the network as the cluster grows.
 */
export function pushPullInterval (intervalMs: number, members: number): number {
  if (members <= PUSH_PULL_SCALE_THRESHOLD) return intervalMs
  const multiplier = Math.ceil(Math.log2(members) - Math.log2(PUSH_PULL_SCALE_THRESHOLD)) + 1
  return multiplier * intervalMs
}
