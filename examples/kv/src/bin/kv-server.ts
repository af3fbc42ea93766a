#!/usr/bin/env node
// kv-server: one node of the sharded cache. Prints one JSON line per event
// on stdout (ready, state, role, shards, stopped); stops cleanly on
// SIGTERM/SIGINT and then exits on its own.
import { SERVER_USAGE, UsageError, parseServerArgs } from '../args.js'
import { startKvNode } from '../server.js'

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

let node
try {
  node = await startKvNode(args, say)
} catch (err) {
  process.stderr.write(`kv-server: could not start: ${(err as Error).message}\n`)
  process.exit(1)
}

let stopping = false
const onSignal = (signal: string): void => {
  // A second signal while stopping means: do not wait any longer.
  if (stopping) process.exit(130)
  stopping = true
  say('stopping', { signal })
  node.stop().then(() => {
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
