/**
 * The foundation demo: what has landed, end to end, on 127.0.0.1 only.
 *
 *   npm run demo:foundation [-- --shards 10000]
 *
 * Exits 0 after stopping everything it started; a failure exits 1.
 */
import { parseArgs } from 'node:util'
import { livenessWalkthrough } from './liveness.js'
import { shardWalkthrough } from './shards.js'

const say = (line = ''): void => { process.stdout.write(line + '\n') }

function shardCountArg (): number {
  const { values } = parseArgs({ options: { shards: { type: 'string', default: '10000' } } })
  const shards = Number(values.shards)
  if (!Number.isSafeInteger(shards) || shards < 1 || shards > 1_048_576) {
    process.stderr.write(`--shards must be a whole number from 1 to 1048576, got ${JSON.stringify(values.shards)}\n`)
    process.exit(2)
  }
  return shards
}

try {
  const shards = shardCountArg()
  say('clusterfunk foundation demo')
  say()
  shardWalkthrough(shards, say)
  await livenessWalkthrough(shards, say)
  say('done: every process and socket the demo started is stopped')
} catch (err) {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
  process.exitCode = 1
}
