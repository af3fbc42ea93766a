import type { ZeroconfPeer } from './events.js'
import type { ZeroconfInit } from './init.js'
import { Zeroconf, type DiscoverOptions, type ZeroconfComponents } from './zeroconf.js'

/**
 * Browses for about a second (`timeoutMs`, default 1 000) without
 * publishing anything and returns the records of `clusterName` seen; the
 * mDNS socket is closed before it returns. What a joining node or a
 * diagnostics tool does to find a cluster.
 */
export async function discoverPeers (
  components: ZeroconfComponents,
  init: Omit<ZeroconfInit, 'records'>,
  options: DiscoverOptions = {}
): Promise<ZeroconfPeer[]> {
  const zeroconf = new Zeroconf(components, { ...init, records: {} })
  try {
    await zeroconf.start({ signal: options.signal })
    return await zeroconf.discover(options)
  } finally {
    await zeroconf.stop()
  }
}
