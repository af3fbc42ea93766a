import { createHash, createHmac } from 'node:crypto'
import { encrypt, framePlaintext, encodeFrame, Keyring, type StreamKind } from '@clusterfunk/swim'
import type { ClusterSecrets } from '../cluster.js'

/**
 * What the suite can do with the cluster's secrets, as an insider (or a
 * capture of genuine traffic) would: seal SWIM packets, MAC liveness
 * probes, prove Raft calls. Each follows the format documented in proto/.
 */
export class Insider {
  private readonly keyring: Keyring
  private readonly livenessKey: Buffer

  constructor (readonly secrets: ClusterSecrets) {
    this.keyring = new Keyring([secrets.gossipKey])
    // The liveness key a node derives from the token (packages/cluster parts.ts).
    this.livenessKey = createHash('sha256').update(`clusterfunk-liveness:${secrets.token}`).digest()
  }

  seal (plaintext: Uint8Array): Buffer {
    return encrypt(this.keyring, undefined, plaintext)
  }

  /** A SWIM stream frame: length prefix, then the sealed kind byte and body. */
  sealedFrame (kind: StreamKind, body: Uint8Array): Buffer {
    return encodeFrame(this.seal(framePlaintext(kind, body)))
  }

  /** A liveness packet (fields 1-4 encoded) with its MAC field appended. */
  macLiveness (body: Uint8Array): Buffer {
    const mac = createHmac('sha256', this.livenessKey).update(body).digest()
    return Buffer.concat([body, Buffer.from([0x2a, 0x20]), mac])
  }

  /** The `x-raft-auth` value a node at `address` sends (proto/raft.proto), for the time `ms`. */
  raftProof (address: string, ms = Date.now()): string {
    return `${ms}.${createHmac('sha256', this.secrets.token).update(`${ms}:${address}`).digest('hex')}`
  }
}
