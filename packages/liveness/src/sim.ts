// The `@clusterfunk/liveness/sim` entry point: the checker and endpoint over a
// simulated datagram network, for deterministic whole-cluster simulation.
export { simAddressString, simNodeAddress, type DatagramNetwork, type DatagramSocket } from './sim-datagram.js'
export { SimLivenessEndpoint, type SimLivenessEndpointComponents, type SimLivenessEndpointInit } from './sim-endpoint.js'
export { SimLivenessChecker, type SimLivenessCheckerComponents, type SimLivenessCheckerInit } from './sim-checker.js'
