import { decrypt, encrypt, ENCRYPTION_OVERHEAD_BYTES, type Keyring } from './keyring.js'

/**
 * What the transport does to every datagram and stream frame: encrypt and
 * authenticate with the keyring, or pass bytes through when there is none.
 */
export interface Sealer {
  /** Bytes each sealed message adds. */
  readonly overhead: number
  seal: (plaintext: Uint8Array) => Uint8Array
  /** Throws `DecodeError` when the bytes do not authenticate. */
  open: (sealed: Uint8Array) => Uint8Array
  readonly encrypted: boolean
}

/** A sealer over `keyring` with `label`, or the plaintext one without a keyring. */
export function createSealer (keyring: Keyring | undefined, label: string | undefined): Sealer {
  if (keyring === undefined) {
    return { overhead: 0, encrypted: false, seal: (p) => p, open: (s) => s }
  }
  return {
    overhead: ENCRYPTION_OVERHEAD_BYTES,
    encrypted: true,
    seal: (p) => encrypt(keyring, label, p),
    open: (s) => decrypt(keyring, label, s)
  }
}
