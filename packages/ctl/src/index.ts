// funkctl as a library: run it with your own I/O (tests, embedding), and the pieces it is made of.

// Running funkctl.
export { run } from './run.js'
export { processIo } from './process-io.js'
export type { CtlIo } from './io.js'
export { ExitCode, NoEndpointError, UsageError, describeError } from './exit-codes.js'

// Global options and finding the node to talk to.
export {
  DEFAULT_TIMEOUT_MS, DISCOVER_MS, checkEndpoint, parseDuration, resolveOptions, type GlobalOptions, type RawGlobalOptions
} from './options.js'
export { browse, connect, peerEndpoint, resolveEndpoint } from './connect.js'

// Rendering replies as text.
export { percent, table, time, type Align } from './table.js'
export {
  endpointTree, formatDiag, formatEndpointTree, formatEndpoints, formatEvent, formatNodes, formatShards, formatStatus, json
} from './format.js'
