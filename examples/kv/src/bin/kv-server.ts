#!/usr/bin/env node
// kv-server: one node of the sharded cache. Prints one JSON line per event
// on stdout (starting, ready, state, role, shards, stopping, stopped); stops
// cleanly on SIGTERM/SIGINT — also while it is still starting — and then
// exits on its own.
import { SERVER_USAGE, UsageError, parseServerArgs } from '../args.js'
import { startKvNode, type KvNode } from '../server.js'

function say (event: string, detail: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ event, at: Date.now(), ...detail })}\n`)
}

let args
try {
  args = parseServerArgs(process.argv.slice(2))
} catch (err) {
  if (!(err instanceof UsageError)) throw err
  process.stderr.write(`kv-server: ${err.message}\n${SERVER_USAGE}\n`)
  process.exit(2)
}

let stopping = false
// Installed before the start: a SIGTERM while the node starts (waiting for
// its peers, say) must leave as gracefully as one after it is ready.
const onSignal = (signal: string): void => {
  // A second signal while stopping means: do not wait any longer.
  if (stopping) process.exit(130)
  stopping = true
  say('stopping', { signal })
  starting.then(async node => { await node?.stop() }).then(() => {
    process.off('SIGTERM', onSignal)
    process.off('SIGINT', onSignal)
    say('stopped')
  }, (err: unknown) => {
    process.stderr.write(`kv-server: stop failed: ${(err as Error).message}\n`)
    process.exit(1)
  })
}
process.on('SIGTERM', onSignal)
process.on('SIGINT', onSignal)

say('starting', { pid: process.pid })
const starting: Promise<KvNode | undefined> = startKvNode(args, say).catch((err: unknown) => {
  process.stderr.write(`kv-server: could not start: ${(err as Error).message}\n`)
  // A start that failed released what it took; only a start nobody asked to stop is an error.
  if (!stopping) process.exit(1)
  return undefined
})
