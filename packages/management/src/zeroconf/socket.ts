import type { Socket } from 'node:dgram'

/**
 * The part of a `dgram` socket that the mDNS layer (multicast-dns, under
 * bonjour-service) uses. A real `dgram.Socket` is one; `MemoryMulticastNetwork`
 * makes in-process ones so zeroconf can be tested without sending a packet.
 */
export type MdnsSocket = Pick<Socket,
  'on' | 'once' | 'removeListener' | 'bind' | 'send' | 'close' | 'address' |
  'addMembership' | 'dropMembership' | 'setMulticastTTL' | 'setMulticastLoopback' | 'setMulticastInterface'>
