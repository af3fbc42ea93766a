'use strict'
// A mocha root hook plugin (registered in .mocharc.json) that fails the run
// on any unhandled rejection. Mocha re-emits an unhandled rejection on
// `process` and, with no other listener there, nothing happens: a library
// that leaks one (issue 12: a rejected gRPC handler ended a node) would pass
// every test. Here each one fails the test during which it surfaced (from a
// root afterEach hook, so the test is marked failed and the run goes on),
// one after the last test fails the root afterAll hook, and one after that
// makes the process exit non-zero. Uncaught exceptions mocha already fails on.

const seen = new WeakSet()
let pending = []
let total = 0

function describe (reason) {
  try {
    return reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)
  } catch {
    return 'a value that cannot be shown'
  }
}

function onUnhandledRejection (reason, promise) {
  // Mocha's own listener re-emits the rejection Node reported: take it once.
  if (seen.has(promise)) return
  seen.add(promise)
  total++
  pending.push(describe(reason))
}

/** An error naming the rejections seen since the last check, or undefined. */
function takePending (where) {
  if (pending.length === 0) return undefined
  const error = new Error(`${pending.length} unhandled rejection(s) ${where}:\n${pending.join('\n')}`)
  error.name = 'UnhandledRejection'
  pending = []
  return error
}

process.on('unhandledRejection', onUnhandledRejection)
process.on('exit', () => {
  if (total === 0) return
  const late = takePending('after the last test')
  if (late !== undefined) process.stderr.write(`${late.message}\n`)
  process.stderr.write(`${total} unhandled rejection(s) during the test run\n`)
  if (process.exitCode === undefined || process.exitCode === 0) process.exitCode = 1
})

exports.mochaHooks = {
  afterEach () {
    const error = takePending('during this test (or work an earlier one left running)')
    // Marks the test failed without failing the hook, so the rest of the run goes on.
    if (error !== undefined) this.runnable().error(error)
  },
  afterAll () {
    const error = takePending('after the last test of the run')
    if (error !== undefined) throw error
  }
}
