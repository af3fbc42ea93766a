// The `@clusterfunk/liveness/sim` entry point: the shipping checker and endpoint on a
// simulated host's ports and clock (`@clusterfunk/sim`'s `SimHost`), for deterministic
// simulation. Only types are taken from @clusterfunk/sim; nothing of it loads at runtime.
import type { SimHost } from '@clusterfunk/sim'
import { LivenessChecker, type LivenessCheckerComponents, type LivenessCheckerInit } from './checker.js'
import { LivenessEndpoint, type LivenessEndpointComponents, type LivenessEndpointInit } from './endpoint.js'

/** The port a simulated endpoint binds unless told otherwise. */
export const SIM_ENDPOINT_PORT = 7001
/** The port a simulated checker binds unless told otherwise. */
export const SIM_CHECKER_PORT = 7002

/** What a simulated checker or endpoint takes beyond its host: the logger and metrics. */
export type SimulatedLivenessComponents = Pick<LivenessCheckerComponents, 'logger' | 'metrics' | 'health'>

/**
 * A `LivenessChecker` on `host`: its clock, its packet ports, a random
 * stream forked from the simulation's seed; bound to the host's IP on
 * `init.port` (default `SIM_CHECKER_PORT`). Throws as the constructor does.
 */
export function simLivenessChecker (host: SimHost, init: Omit<LivenessCheckerInit, 'host'> = {}, components: SimulatedLivenessComponents = {}): LivenessChecker {
  return new LivenessChecker({ ...components, clock: host.clock, packets: host.packets, random: host.fork('liveness') }, { port: SIM_CHECKER_PORT, ...init, host: host.ip })
}

/** A `LivenessEndpoint` on `host`, bound to its IP on `init.port` (default `SIM_ENDPOINT_PORT`). Throws as the constructor does. */
export function simLivenessEndpoint (host: SimHost, init: Omit<LivenessEndpointInit, 'host'>, components: SimulatedLivenessComponents = {}): LivenessEndpoint {
  return new LivenessEndpoint({ ...components, clock: host.clock, packets: host.packets } satisfies LivenessEndpointComponents, { port: SIM_ENDPOINT_PORT, ...init, host: host.ip })
}
