import { InvalidArgumentError } from '@clusterfunk/core'
import type { NodeAddress } from './events.js'

/**
 * A datagram socket on a simulated network: `@clusterfunk/sim`'s
 * `PacketSocket` fits. Addresses are `"<node>:<port>"` strings; delivery,
 * loss, delay and partitions are the network's business.
 */
export interface DatagramSocket {
  readonly isOpen: boolean
  /** Sends a copy of `bytes` to `to`. */
  send: (to: string, bytes: Uint8Array) => void
  onMessage: (handler: (bytes: Uint8Array, from: string) => void) => void
  close: () => void
}

/** Binds datagram sockets: `@clusterfunk/sim`'s `PacketNetwork` fits. */
export interface DatagramNetwork {
  bind: (address: string) => DatagramSocket
}

/** `"<node>:<port>"` as a `NodeAddress` (the node name stands where a real one has an IP). */
export function simNodeAddress (address: string): NodeAddress {
  const colon = address.lastIndexOf(':')
  const port = Number(address.slice(colon + 1))
  if (colon <= 0 || !Number.isInteger(port) || port < 1 || port > 65_535) throw new InvalidArgumentError(`not a <node>:<port> address: ${address}`)
  return { host: address.slice(0, colon), port }
}

/** A `NodeAddress` as the `"<node>:<port>"` string a simulated network routes. */
export function simAddressString (address: NodeAddress): string {
  return `${address.host}:${address.port}`
}
