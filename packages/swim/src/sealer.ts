import { ENCRYPTION_OVERHEAD_BYTES, cryptoNonces, decrypt, encrypt, type Keyring, type NonceSource } from './keyring.js'
import { freshnessReserve, readFreshness, writeFreshness, type Freshness } from './freshness.js'

/** A message after `open`: its payload and, when sealed, its freshness header. */
export interface Opened {
  payload: Uint8Array
  /** Undefined without encryption: plaintext messages carry no freshness. */
  freshness: Freshness | undefined
}

/**
 * What the transport does to every datagram and stream frame: encrypt and
 * authenticate with the keyring, behind a freshness header (sender, recipient,
 * epoch, sequence, send time; see `freshness.ts`), or pass bytes through
 * when there is no keyring.
 */
export interface Sealer {
  /** Bytes each sealed datagram must reserve: encryption and the freshness header. */
  readonly overhead: number
  /** Seals `plaintext` for `recipient` (the address dialed, or the requester's id for a stream reply). */
  seal: (plaintext: Uint8Array, recipient: string) => Uint8Array
  /** Throws `DecodeError` (`SealVersionError` for another layout) when the bytes do not authenticate or the header is malformed. */
  open: (sealed: Uint8Array) => Opened
  readonly encrypted: boolean
}

/** What a keyed sealer needs. */
export interface SealerInit {
  keyring: Keyring | undefined
  label: string | undefined
  /** This member's id, written as the sender. */
  sender: string
  /** This member's start time (wall-clock ms), a new epoch per start. */
  epoch: number
  /** The wall clock, for send times. */
  wallNow: () => number
  /** Where GCM nonces come from. Default the CSPRNG. */
  nonces?: NonceSource
}

/** A sealer over the keyring with the label, or the plaintext one without a keyring. */
export function createSealer (init: SealerInit): Sealer {
  const { keyring, label, sender, epoch, wallNow } = init
  const nonces = init.nonces ?? cryptoNonces
  if (keyring === undefined) {
    return { overhead: 0, encrypted: false, seal: (p) => p, open: (s) => ({ payload: s, freshness: undefined }) }
  }
  let seq = 0
  return {
    overhead: ENCRYPTION_OVERHEAD_BYTES + freshnessReserve(sender),
    encrypted: true,
    seal: (p, recipient) => {
      seq++
      return encrypt(keyring, label, writeFreshness({ sender, recipient, epoch, seq, sentAt: Math.floor(wallNow()) }, p), nonces)
    },
    open: (s) => readFreshness(decrypt(keyring, label, s))
  }
}
