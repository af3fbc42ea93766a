// The `@clusterfunk/swim/sim` entry point: a SWIM node over @clusterfunk/sim's virtual
// networks, for deterministic simulation. Only this entry loads @clusterfunk/sim.
export { SimSwim, type SimSwimEvents, type SimSwimInit, type SimSwimNetworks } from './sim-swim.js'
