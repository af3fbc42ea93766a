export * from './types.js'
export * from './codec.js'
export * from './coordinator.js'
