import { nanosPerCall, printFigure, type BenchOptions } from '@clusterfunk/core/bench'
import { KIND_PROBE, createPacketView, decodePacket, packetTemplate, sealPacket, verifyPacket, writeNonce } from '../src/index.js'
import { decodeWithSchema, encodeWithSchema, livenessPacketType } from '../src/index.js'

/**
 * What one packet costs to encode and decode: the hand codec the hot path
 * uses against protobufjs on the same schema, and the HMAC on top. The
 * decision to hand-encode rests on these figures (see README).
 */
export async function run (options: BenchOptions): Promise<void> {
  const report = options.report ?? printFigure
  const count = options.tiny ? 2_000 : 300_000
  const id = Buffer.from('node-0042')
  const key = Buffer.from('0123456789abcdef0123456789abcdef')
  const template = packetTemplate(KIND_PROBE, id)
  const view = createPacketView()

  const hand = nanosPerCall(count, i => {
    writeNonce(template, i + 1, 7)
    const len = sealPacket(template, undefined)
    const buf = Buffer.allocUnsafe(len)
    template.copy(buf, 0, 0, len)
    decodePacket(buf, view)
    return view.nonceLo + buf.toString('utf8', view.idStart, view.idEnd).length
  })
  report({ bench: 'liveness.codec.hand', value: hand, unit: 'ns', better: 'lower' })

  const type = livenessPacketType()
  const pbjs = nanosPerCall(count, i => {
    const bytes = type.encode(type.fromObject({ version: 1, kind: KIND_PROBE, nonce: { low: i + 1, high: 7, unsigned: true }, target: 'node-0042' })).finish()
    const msg = type.decode(bytes) as unknown as { target: string, nonce: { low: number } }
    return msg.nonce.low + msg.target.length
  })
  report({ bench: 'liveness.codec.protobufjs', value: pbjs, unit: 'ns', better: 'lower' })

  // Same, through the object helpers (what a straightforward driver would write).
  const pbjsObjects = nanosPerCall(Math.ceil(count / 4), i => {
    const bytes = encodeWithSchema({ kind: KIND_PROBE, nonce: BigInt(i + 1), target: 'node-0042' })
    return decodeWithSchema(bytes).target.length
  })
  report({ bench: 'liveness.codec.protobufjs.objects', value: pbjsObjects, unit: 'ns', better: 'lower' })

  const hmac = nanosPerCall(Math.ceil(count / 4), i => {
    writeNonce(template, i + 1, 7)
    const len = sealPacket(template, key)
    decodePacket(template.subarray(0, len), view)
    return verifyPacket(template.subarray(0, len), view, key) ? 1 : 0
  })
  report({ bench: 'liveness.codec.hand.hmac', value: hmac, unit: 'ns', better: 'lower' })
}
