import { createHash, createHmac, randomBytes } from 'node:crypto'
import { KIND_PROBE, MAC_BYTES, packetTemplate, sealPacket, writeFreshness as writeProbeFreshness, writeNonce } from '@clusterfunk/liveness'
import { ADDRESS_KEY, AUTH_KEY, RaftAuth } from '@clusterfunk/raft/grpc'
import { createSealer, encodeStreamMessage, encrypt, Keyring, writeFreshness, type Freshness, type Sealer, type StreamKind } from '@clusterfunk/swim'
import type { ClusterSecrets } from '../cluster.js'

/** The sender name the suite's own sealed SWIM traffic carries (a stranger to the cluster). */
export const GHOST = 'fuzz-ghost'
/** The Raft address the suite's own proven calls claim: no member's, so its calls never take a member's call slots. */
export const GHOST_RAFT_ADDRESS = '127.0.0.1:9'
/** How long a proof is accepted around its time; only the suite's side matters (the node checks its own window). */
const PROOF_WINDOW_MS = 60_000

/** A proven Raft call: its metadata and each message sealed in call order. */
export interface ProvenCall {
  metadata: Record<string, string>
  /** Seals the call's next message (sequence numbers grow by one per call, from 1). */
  seal: (message: Uint8Array) => Buffer
}

/**
 * What the suite can do with the cluster's secrets, as an insider (or a
 * capture of genuine traffic) would: seal SWIM packets and stream messages
 * behind a freshness header, MAC liveness probes with a checker id and a send
 * time, prove and seal Raft calls. Every format comes from the package's own
 * encoder (RaftAuth, the SWIM sealer and stream framing, the liveness packet
 * writer), so the suite follows the wire as it changes.
 */
export class Insider {
  private readonly keyring: Keyring
  readonly livenessKey: Buffer
  private readonly raft: RaftAuth
  /** The suite's own SWIM sender: a stranger with its own epoch and sequence. */
  private readonly ghost: Sealer
  /** The suite's liveness checker id (two halves, never both 0) and the last send time it stamped. */
  private readonly checker: [number, number]
  private lastSentAt = 0

  constructor (readonly secrets: ClusterSecrets) {
    this.keyring = new Keyring([secrets.gossipKey])
    // The liveness key a node derives from the token (packages/cluster src/cluster/parts.ts).
    this.livenessKey = createHash('sha256').update(`clusterfunk-liveness:${secrets.token}`).digest()
    this.raft = new RaftAuth(secrets.token, PROOF_WINDOW_MS, 1024)
    this.ghost = this.sealer(GHOST, Date.now())
    const id = randomBytes(8)
    this.checker = [id.readUInt32LE(0) | 1, id.readUInt32LE(4)]
  }

  /** A SWIM sealer speaking as `sender` in `epoch` (it numbers its messages from 1). */
  sealer (sender: string, epoch: number): Sealer {
    return createSealer({ keyring: this.keyring, label: undefined, sender, epoch, wallNow: Date.now })
  }

  /** `plaintext` sealed by the suite's own sender for `recipient` (a node id or the address dialed). */
  seal (plaintext: Uint8Array, recipient: string): Uint8Array {
    return this.ghost.seal(plaintext, recipient)
  }

  /** Bytes sealed with the key as they are (a hand-made, possibly hostile, freshness header in front). */
  sealRaw (plaintext: Uint8Array): Buffer {
    return encrypt(this.keyring, undefined, plaintext)
  }

  /** A freshness header and `payload`, the way a sealer lays them out before encryption. */
  freshnessPlaintext (f: Freshness, payload: Uint8Array): Buffer {
    return writeFreshness(f, payload)
  }

  /** Opens a sealed SWIM datagram (a node's ack to the suite): its header and payload. Throws when it does not open. */
  open (sealed: Uint8Array): { freshness: Freshness | undefined, payload: Uint8Array } {
    return this.ghost.open(sealed)
  }

  /** One SWIM stream message (head frame, body frame), sealed by the suite's own sender for `recipient`. */
  streamMessage (kind: StreamKind, body: Uint8Array, recipient: string): Buffer {
    return encodeStreamMessage(this.ghost, kind, body, recipient)
  }

  /** A send time for the suite's checker: the wall clock, strictly growing as a checker's must. */
  private sentAt (): number {
    this.lastSentAt = Math.max(Date.now(), this.lastSentAt + 1)
    return this.lastSentAt
  }

  /** A genuine keyed liveness probe for `target`, as a checker sends it (fresh send time, the suite's checker id). */
  probe (target: string, nonce: [number, number]): Buffer {
    const buf = packetTemplate(KIND_PROBE, Buffer.from(target, 'utf8'))
    writeNonce(buf, nonce[0], nonce[1] === 0 && nonce[0] === 0 ? 1 : nonce[1])
    writeProbeFreshness(buf, this.checker[0], this.checker[1], this.sentAt())
    return buf.subarray(0, sealPacket(buf, this.livenessKey))
  }

  /**
   * A MAC over any encoding of fields 1-4 (`body`, possibly mutated) and
   * freshness fields 6-7 (`tail`, the suite's checker and a fresh time
   * unless given), laid out as proto/liveness.proto says: body, mac field,
   * tail. It reaches the endpoint's decoder and window behind the MAC check.
   */
  macLiveness (body: Uint8Array, tail = this.probeTail()): Buffer {
    const mac = createHmac('sha256', this.livenessKey).update(body).update(tail).digest()
    return Buffer.concat([body, Buffer.from([0x2a, MAC_BYTES]), mac, tail])
  }

  /** Fields 6-7 of a keyed probe: the suite's checker id and a fresh send time (or the values given). */
  probeTail (checkerLo = this.checker[0], checkerHi = this.checker[1], sentAtMs = this.sentAt()): Buffer {
    const tail = Buffer.alloc(18)
    tail[0] = 0x31
    tail.writeUInt32LE(checkerLo >>> 0, 1)
    tail.writeUInt32LE(checkerHi >>> 0, 5)
    tail[9] = 0x39
    tail.writeUInt32LE(sentAtMs % 0x1_0000_0000 >>> 0, 10)
    tail.writeUInt32LE(Math.floor(sentAtMs / 0x1_0000_0000) >>> 0, 14)
    return tail
  }

  /** A proven Raft call of `method` from `address` (x-raft-address, x-raft-auth), and the sealer of its messages. */
  raftCall (method: string, address: string): ProvenCall {
    const { proof, context } = this.raft.prove(method, address, Date.now())
    return { metadata: { [ADDRESS_KEY]: address, [AUTH_KEY]: proof }, seal: (m) => this.raft.seal(m, context) }
  }
}
