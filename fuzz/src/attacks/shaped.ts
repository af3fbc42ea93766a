import type { Random } from '@clusterfunk/core'
import { createSealer, encodeFrame, encodeStreamMessage, headPlaintext, MAX_STREAM_BODY_BYTES, STREAM_PUSH_PULL, type Freshness, type StreamKind } from '@clusterfunk/swim'
import { mutateBytes } from '../mutate.js'
import { GHOST, type Insider } from './secrets.js'

/**
 * Inputs in the current wire layouts, valid or with one hostile part, so the
 * structured phase reaches past framing and authentication into the
 * decoders: SWIM datagrams behind a freshness header, SWIM stream messages
 * as a head frame then a body frame, keyed liveness probes with checker id
 * and send time.
 */

/** Stream framing without a keyring: what a plain cluster speaks, and what a stranger can send a secured one. */
export const UNSEALED = createSealer({ keyring: undefined, label: undefined, sender: GHOST, epoch: 1, wallNow: Date.now })

/**
 * A SWIM datagram payload sealed by the suite's own sender for `recipient`;
 * one in six instead behind a hostile freshness header (misdirected, stale,
 * boundary epoch and sequence, damaged), under another stranger's name so
 * the suite's own window at the node is never spoiled. Never a member's
 * name: a key holder can legitimately start a member's window in a far
 * epoch, which proves nothing about the node.
 */
export function sealedDatagram (random: Random, ins: Insider, payload: Uint8Array, recipient: string): Buffer {
  if (!random.chance(1 / 6)) return Buffer.from(ins.seal(payload, recipient))
  const now = Date.now()
  const f: Freshness = { sender: `${GHOST}-${random.int(0, 7)}`, recipient, epoch: now, seq: 1, sentAt: now }
  switch (random.int(0, 3)) {
    case 0: f.recipient = random.pick(['n9', '127.0.0.1:9', 'x'.repeat(512)]); break
    case 1: f.sentAt = random.pick([1, now - 3_600_000, now + 3_600_000, Number.MAX_SAFE_INTEGER]); break
    case 2:
      f.epoch = random.pick([0, 1, Number.MAX_SAFE_INTEGER])
      f.seq = random.pick([0, 1, Number.MAX_SAFE_INTEGER])
      break
    default: return ins.sealRaw(mutateBytes(random, ins.freshnessPlaintext(f, payload)))
  }
  return ins.sealRaw(ins.freshnessPlaintext(f, payload))
}

/**
 * One SWIM stream message for `recipient`: head frame then body frame,
 * sealed by the suite's sender when `ins` is given. One in five has a head
 * that lies about the body (another length, over the kind's limit, zero), one
 * in ten is a head alone.
 */
export function streamMessage (random: Random, ins: Insider | undefined, kind: StreamKind, body: Uint8Array, recipient: string): Buffer {
  const seal = (p: Uint8Array): Uint8Array => ins === undefined ? p : ins.seal(p, recipient)
  const pick = random.int(0, 9)
  if (pick >= 3) return ins === undefined ? encodeStreamMessage(UNSEALED, kind, body, recipient) : ins.streamMessage(kind, body, recipient)
  const limit = MAX_STREAM_BODY_BYTES[kind] ?? MAX_STREAM_BODY_BYTES[STREAM_PUSH_PULL]
  const claimed = random.pick([0, 1, Math.max(0, body.length - 1), body.length + 1, limit + 1, 0xffff_ffff])
  const head = encodeFrame(seal(headPlaintext(kind, pick === 0 ? body.length : claimed)))
  return pick === 0 ? head : Buffer.concat([head, encodeFrame(seal(body))])
}

/**
 * A liveness body (fields 1-4, possibly mutated) MACed with the cluster's
 * key: mostly with the suite's checker and a fresh send time, else with
 * hostile freshness fields (zero or boundary checker ids, zero, old, future
 * or unsafe send times) that only the endpoint's decoder and window stop.
 */
export function keyedProbe (random: Random, ins: Insider, body: Uint8Array): Buffer {
  if (random.chance(0.8)) return ins.macLiveness(body)
  const now = Date.now()
  return ins.macLiveness(body, ins.probeTail(random.pick([0, 1, 0xffff_ffff]), random.pick([0, 0xffff_ffff]),
    random.pick([0, 1, now - 3_600_000, now + 3_600_000, 2 ** 53 - 1, 2 ** 53])))
}
