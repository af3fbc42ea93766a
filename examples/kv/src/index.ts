// What other workspace packages (the hostile-input suite) use of the example:
// its server process handle and the bounds it enforces.
export { KV_SERVER_BUNDLE, KvProcess, type KvLaunch, type NodePorts, type NodeSnapshot } from './demo/kv-process.js'
export { DEFAULT_MAX_BYTES, DEFAULT_MAX_ENTRIES, DEFAULT_MAX_VALUE_BYTES } from './args.js'
