/**
 * One "node" of the demo: a liveness endpoint in its own process.
 *
 *   node responder.js --id n2 [--port 0]
 *
 * Prints `{"port":N}` once listening, then answers probes until it is
 * killed (the demo uses SIGKILL) or told to stop (SIGTERM / SIGINT).
 */
import { parseArgs } from 'node:util'
import { LivenessEndpoint } from '@clusterfunk/liveness'

const { values } = parseArgs({
  options: { id: { type: 'string' }, port: { type: 'string', default: '0' } }
})
if (values.id === undefined) {
  process.stderr.write('usage: responder.js --id <node id> [--port <udp port>]\n')
  process.exit(2)
}
const endpoint = new LivenessEndpoint({}, { nodeId: values.id, host: '127.0.0.1', port: Number(values.port) })
await endpoint.start()
process.stdout.write(JSON.stringify({ port: endpoint.address().port }) + '\n')

const shutdown = (): void => { void endpoint.stop() }
process.once('SIGTERM', shutdown)
process.once('SIGINT', shutdown)
