import { isIP } from 'node:net'
import type { Logger, Metrics } from '@clusterfunk/core'
import { joinHostPort, type MdnsSocket } from '@clusterfunk/management'
import type { ZeroconfPeer } from '../zeroconf/events.js'
import { Zeroconf } from '../zeroconf/zeroconf.js'

/** What a `ZeroconfJoiner` takes from outside. */
export interface ZeroconfJoinerComponents {
  logger: Logger
  metrics: Metrics
  /** Makes the mDNS socket; default a real multicast socket (tests pass a `MemoryMulticastNetwork`'s). */
  createSocket?: (() => MdnsSocket) | undefined
}

/**
 * A cluster node's zeroconf: publishes its `swim` and `mgmt` records
 * (A records for `host`) and browses for the other nodes of the same
 * cluster, handing the SWIM address (`host:port`) of each one found to
 * `found` — at start after about a second (clusterfunk's start-up browse),
 * and whenever another node appears later.
 */
export class ZeroconfJoiner {
  private readonly components: ZeroconfJoinerComponents
  private readonly init: { clusterName: string, nodeId: string, host: string }
  private zeroconf: Zeroconf | undefined

  constructor (components: ZeroconfJoinerComponents, init: { clusterName: string, nodeId: string, host: string }) {
    this.components = components
    this.init = init
  }

  /** Publishes one record per kind (`swim`, `mgmt`) with its port, and reports SWIM peers to `found` from now on. */
  async start (records: Record<string, number>, found: (nodeId: string, address: string) => void): Promise<void> {
    const { logger, metrics, createSocket } = this.components
    const zeroconf = new Zeroconf({ logger, metrics, ...(createSocket === undefined ? {} : { createSocket }) }, {
      clusterName: this.init.clusterName,
      nodeId: this.init.nodeId,
      records,
      protocolVersion: 1,
      addresses: [this.init.host],
      // A node bound to one IPv4 address speaks mDNS on that interface (on
      // 127.0.0.1: loopback, so records never leave the machine).
      ...(isIP(this.init.host) === 4 && this.init.host !== '0.0.0.0' ? { interface: this.init.host } : {})
    })
    this.zeroconf = zeroconf
    zeroconf.addEventListener('peer:found', e => {
      const address = swimAddress(e.detail)
      if (address !== undefined) found(e.detail.nodeId, address)
    })
    await zeroconf.start()
  }

  /** Browses about a second and returns the SWIM addresses (`host:port`) of the peers found. */
  async discover (): Promise<string[]> {
    const zeroconf = this.zeroconf
    if (zeroconf === undefined || zeroconf.status !== 'started') return []
    const peers = await zeroconf.discover()
    return peers.flatMap(p => { const a = swimAddress(p); return a === undefined ? [] : [a] })
  }

  /** Sends goodbyes and closes the socket. */
  async stop (): Promise<void> {
    await this.zeroconf?.stop()
    this.zeroconf = undefined
  }
}

function swimAddress (peer: ZeroconfPeer): string | undefined {
  if (peer.kind !== 'swim') return undefined
  const address = peer.addresses.find(a => isIP(a) === 4) ?? peer.addresses.find(a => isIP(a) === 6)
  return address === undefined ? undefined : joinHostPort(address, peer.port)
}
