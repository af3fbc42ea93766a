// The `@clusterfunk/swim/sim` entry point: the shipping `Swim` on a simulated host's ports
// and clock (`@clusterfunk/sim`'s `SimHost`), for deterministic simulation. Only types are
// taken from @clusterfunk/sim; nothing of it loads at runtime.
import type { Random } from '@clusterfunk/core'
import type { SimHost } from '@clusterfunk/sim'
import type { NonceSource } from './keyring.js'
import { Swim } from './swim.js'
import type { SwimComponents, SwimInit } from './swim-options.js'

/** The port a simulated member binds (UDP and TCP) unless told otherwise. */
export const SIM_SWIM_PORT = 7946

/** What a simulated member takes beyond its host: the logger and metrics. */
export type SimulatedSwimComponents = Pick<SwimComponents, 'logger' | 'metrics'>

/**
 * GCM nonces drawn from a seeded stream, so an encrypted run replays byte
 * for byte. Never outside a simulation: a predictable nonce is no nonce.
 */
export function seededNonces (random: Random): NonceSource {
  return (nonce) => {
    for (let i = 0; i < nonce.length; i += 4) {
      const word = random.uint32()
      for (let j = 0; j < 4 && i + j < nonce.length; j++) nonce[i + j] = (word >>> (8 * j)) & 0xff
    }
  }
}

/**
 * A `Swim` member on `host`: its clock, its packet and stream ports, random
 * streams forked from the simulation's seed (probe order and, with a
 * keyring, the GCM nonces); bound to the host's IP on `init.port` (default
 * `SIM_SWIM_PORT`). Everything else — the driver, encryption, replay
 * protection, the push/pull and connection caps — is the code that ships.
 * Throws as the constructor does.
 */
export function simSwim (host: SimHost, init: Omit<SwimInit, 'host'>, components: SimulatedSwimComponents = {}): Swim {
  return new Swim({
    ...components,
    clock: host.clock,
    random: host.fork('swim'),
    packets: host.packets,
    streams: host.streams,
    nonces: seededNonces(host.fork('swim-nonces'))
  }, { port: SIM_SWIM_PORT, ...init, host: host.ip })
}
