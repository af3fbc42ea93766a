import type { Clock, PortAddress } from '@clusterfunk/core'
import { nodeOf } from './address.js'
import type { PacketNetwork } from './packet-network.js'
import { SimHost } from './sim-host.js'
import type { Simulation } from './simulation.js'
import type { StreamNetwork } from './stream-network.js'

/** The networks hosts are attached to; share one `Partitions` between them so a cut stops both. */
export interface SimHostsNetworks {
  packets: PacketNetwork
  streams: StreamNetwork
}

/** Options of one host. */
export interface SimHostInit {
  /** The clock its drivers run on. Default the simulation's clock for the host's name. */
  clock?: Clock
}

/**
 * The hosts of a simulated world and their addresses. Drivers address
 * peers by IP literal, as on a real network, while the simulated networks
 * route, partition and trace by node name: every name gets an IP
 * (`10.0.0.1`, `10.0.0.2`, … in the order names are first seen, so a seed
 * assigns the same ones every run), and a host's ports translate between
 * the two at the boundary. `host(name)` hands out one incarnation of a
 * host; a restarted node gets a new one under the same name and IP.
 */
export class SimHosts {
  private readonly ips = new Map<string, string>()
  private readonly names = new Map<string, string>()

  constructor (readonly sim: Simulation, readonly networks: SimHostsNetworks) {}

  /** A new incarnation of host `name`. */
  host (name: string, init: SimHostInit = {}): SimHost {
    return new SimHost(this, name, init.clock ?? this.sim.clockFor(name))
  }

  /** The IP of host `name`, assigned the first time it is asked for. */
  ipOf (name: string): string {
    let ip = this.ips.get(name)
    if (ip === undefined) {
      const i = this.ips.size + 1
      ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`
      this.ips.set(name, ip)
      this.names.set(ip, name)
    }
    return ip
  }

  /** The host name behind `ip`, if any host has it. */
  nameOf (ip: string): string | undefined {
    return this.names.get(ip)
  }

  /** `host:port` as a driver writes it (IP and port) for host `name`. */
  address (name: string, port: number): string {
    return `${this.ipOf(name)}:${port}`
  }

  /** @internal The network address (`<name>:<port>`) of an IP and port; an unknown IP stays as it is (nothing listens there). */
  toNetwork (host: string, port: number): string {
    return `${this.names.get(host) ?? host}:${port}`
  }

  /** @internal A network address (`<name>:<port>`) as the IP and port a driver sees. */
  fromNetwork (address: string): PortAddress {
    const name = nodeOf(address)
    const port = Number(address.slice(name.length + 1))
    return { host: this.ipOf(name), port: Number.isInteger(port) ? port : 0 }
  }
}
