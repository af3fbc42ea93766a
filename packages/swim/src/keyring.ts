import { createCipheriv, createDecipheriv, randomBytes, randomFillSync } from 'node:crypto'
import { DecodeError, InvalidArgumentError } from '@clusterfunk/core'

/**
 * Gossip encryption: AES-256-GCM with a keyring, as memberlist does it. The
 * primary key encrypts; every installed key is tried to decrypt, so keys can
 * be rotated across a running cluster (add everywhere → use everywhere →
 * remove the old one everywhere) without dropping traffic.
 *
 * Wire layout of one sealed datagram or stream frame (version 2):
 *
 * ```
 * offset 0        1                13                     n − 16     n
 *        | version | nonce (12 B)   | ciphertext           | tag (16 B) |
 * ```
 *
 * - `version` is `ENCRYPTION_VERSION` (2); anything else is rejected with
 *   `SealVersionError`. Version 1 had no freshness header inside (see
 *   `freshness.ts`); the cluster upgrades together, so it is counted and
 *   dropped, never read.
 * - `nonce` is 12 random bytes, fresh for every message; NIST SP 800-38D
 *   bounds random nonces to 2³² messages per key, so rotate long before.
 * - The associated data is the version byte followed by the UTF-8 label (the
 *   label itself is not sent): a message sealed under another label, or
 *   without one, fails authentication like a message under an unknown key.
 *
 * The overhead is `ENCRYPTION_OVERHEAD_BYTES` (29) per message, which the
 * driver reserves through the config's `packetOverheadBytes`.
 */

/** Length of every key: AES-256. */
export const KEY_BYTES = 32
/** The layout version written as the first byte of a sealed message. */
export const ENCRYPTION_VERSION = 2

/** A sealed message of another layout version (an old member, or garbage). */
export class SealVersionError extends DecodeError {
  constructor (readonly version: number | undefined) {
    super(`unsupported encryption version ${String(version)}`)
    this.name = 'SealVersionError'
  }
}
/** GCM nonce length. */
export const NONCE_BYTES = 12
/** GCM authentication tag length. */
export const TAG_BYTES = 16
/** Bytes a sealed message adds to its plaintext: version, nonce and tag. */
export const ENCRYPTION_OVERHEAD_BYTES = 1 + NONCE_BYTES + TAG_BYTES
/** Longest label accepted, in UTF-8 bytes. */
export const MAX_LABEL_BYTES = 255

/** A key: 32 raw bytes, or their base64 encoding (what `generateKey` returns). */
export type KeyInput = Uint8Array | string

/** A fresh random key, base64-encoded (as Serf's `keygen` prints one). */
export function generateKey (): string {
  return randomBytes(KEY_BYTES).toString('base64')
}

/** The 32 bytes of `key`; throws `InvalidArgumentError` for anything else. */
export function keyBytes (key: KeyInput): Buffer {
  let bytes: Buffer
  if (typeof key === 'string') {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(key)) throw new InvalidArgumentError('a key string must be base64')
    bytes = Buffer.from(key, 'base64')
  } else if (key instanceof Uint8Array) {
    bytes = Buffer.from(key)
  } else {
    throw new InvalidArgumentError('a key must be 32 bytes or their base64 encoding')
  }
  if (bytes.length !== KEY_BYTES) throw new InvalidArgumentError(`a key must be ${KEY_BYTES} bytes (AES-256), got ${bytes.length}`)
  return bytes
}

/**
 * The installed keys: one primary that encrypts, and any number of others
 * that are still accepted for decryption. Changes take effect for the next
 * message sealed or opened, so a keyring can be changed while traffic flows.
 */
export class Keyring {
  private list: Buffer[]

  /** `keys[0]` becomes the primary. Throws `InvalidArgumentError` for no keys or a malformed one. */
  constructor (keys: readonly KeyInput[]) {
    if (!Array.isArray(keys) || keys.length === 0) throw new InvalidArgumentError('a keyring needs at least one key')
    this.list = []
    for (const k of keys) {
      const bytes = keyBytes(k)
      if (this.indexOf(bytes) < 0) this.list.push(bytes)
    }
  }

  /** The key that encrypts (a copy). */
  get primaryKey (): Buffer {
    return Buffer.from(this.list[0] as Buffer)
  }

  /** Every installed key, primary first (copies). */
  keys (): Buffer[] {
    return this.list.map(k => Buffer.from(k))
  }

  /** Installs `key` for decryption; installing one already present does nothing. */
  addKey (key: KeyInput): void {
    const bytes = keyBytes(key)
    if (this.indexOf(bytes) < 0) this.list.push(bytes)
  }

  /** Makes an installed key the primary. Throws `InvalidArgumentError` when it is not installed. */
  useKey (key: KeyInput): void {
    const bytes = keyBytes(key)
    const i = this.indexOf(bytes)
    if (i < 0) throw new InvalidArgumentError('cannot use a key that is not installed; add it first')
    this.list = [bytes, ...this.list.filter((_, j) => j !== i)]
  }

  /** Uninstalls a key. Throws `InvalidArgumentError` for the primary; removing an unknown key does nothing. */
  removeKey (key: KeyInput): void {
    const bytes = keyBytes(key)
    const i = this.indexOf(bytes)
    if (i === 0) throw new InvalidArgumentError('cannot remove the primary key; use another key first')
    if (i > 0) this.list = this.list.filter((_, j) => j !== i)
  }

  /** @internal the live key list, primary first, for `encrypt` / `decrypt`. */
  get installed (): readonly Buffer[] {
    return this.list
  }

  private indexOf (key: Buffer): number {
    return this.list.findIndex(k => k.equals(key))
  }
}

/** Checks a label and returns its bytes; throws `InvalidArgumentError` when it is too long or not a string. */
export function labelBytes (label: string | undefined): Buffer {
  if (label === undefined) return Buffer.alloc(0)
  if (typeof label !== 'string') throw new InvalidArgumentError('a label must be a string')
  const bytes = Buffer.from(label, 'utf8')
  if (bytes.length > MAX_LABEL_BYTES) throw new InvalidArgumentError(`a label must be at most ${MAX_LABEL_BYTES} bytes`)
  return bytes
}

function associatedData (label: string | undefined): Buffer {
  return Buffer.concat([Buffer.of(ENCRYPTION_VERSION), labelBytes(label)])
}

/**
 * Fills a buffer with a fresh GCM nonce. The default draws from the
 * operating system's CSPRNG; a repeated nonce under one key breaks GCM, so
 * anything else belongs in deterministic simulation only.
 */
export type NonceSource = (nonce: Uint8Array) => void

/** The CSPRNG nonce source. */
export const cryptoNonces: NonceSource = (nonce) => { randomFillSync(nonce) }

/** Seals `plaintext` under the primary key of `keyring`, authenticating `label` (see the layout above). */
export function encrypt (keyring: Keyring, label: string | undefined, plaintext: Uint8Array, nonces: NonceSource = cryptoNonces): Buffer {
  const key = keyring.installed[0] as Buffer
  const out = Buffer.allocUnsafe(ENCRYPTION_OVERHEAD_BYTES + plaintext.length)
  out[0] = ENCRYPTION_VERSION
  const nonce = out.subarray(1, 1 + NONCE_BYTES)
  nonces(nonce)
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES })
  cipher.setAAD(associatedData(label))
  let offset = 1 + NONCE_BYTES
  offset += cipher.update(plaintext).copy(out, offset)
  offset += cipher.final().copy(out, offset)
  cipher.getAuthTag().copy(out, offset)
  return out
}

/**
 * Opens a sealed message with any installed key. Throws `DecodeError` when
 * it is too short, of another version, or fails authentication under every
 * key (wrong key, other label, tampered bytes).
 */
export function decrypt (keyring: Keyring, label: string | undefined, sealed: Uint8Array): Buffer {
  if (!(sealed instanceof Uint8Array)) throw new DecodeError('sealed input is not bytes')
  if (sealed.length < ENCRYPTION_OVERHEAD_BYTES) throw new DecodeError(`sealed message of ${sealed.length} bytes is shorter than its ${ENCRYPTION_OVERHEAD_BYTES}-byte overhead`)
  if (sealed[0] !== ENCRYPTION_VERSION) throw new SealVersionError(sealed[0])
  const nonce = sealed.subarray(1, 1 + NONCE_BYTES)
  const body = sealed.subarray(1 + NONCE_BYTES, sealed.length - TAG_BYTES)
  const tag = sealed.subarray(sealed.length - TAG_BYTES)
  const aad = associatedData(label)
  for (const key of keyring.installed) {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES })
    decipher.setAAD(aad)
    decipher.setAuthTag(tag)
    const head = decipher.update(body)
    try {
      return Buffer.concat([head, decipher.final()])
    } catch {
      // not this key (or not this label, or tampered): try the next one
    }
  }
  throw new DecodeError('no installed key authenticates the message (wrong key or label, or tampered bytes)')
}
