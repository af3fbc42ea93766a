// Test aids, kept out of the main entry so a library user never loads them: free ports for
// tests on real sockets, and the static import graph of an entry point.
export { freePorts } from './ports.js'
export { importGraph, type ImportGraph } from './import-graph.js'
