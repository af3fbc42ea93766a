import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { DecodeError, InvalidArgumentError } from '@clusterfunk/core'
import { decrypt, encrypt, ENCRYPTION_OVERHEAD_BYTES, ENCRYPTION_VERSION, generateKey, Keyring, KEY_BYTES, lanConfig } from '../src/index.js'

const k1 = generateKey()
const k2 = generateKey()
const k3 = generateKey()
const text = Buffer.from('ping seq=1 target=b')

describe('Keyring', () => {
  it('a sealed message opens to the same bytes with the same key and label', () => {
    const ring = new Keyring([k1])
    expect(decrypt(ring, 'prod', encrypt(ring, 'prod', text))).to.deep.equal(text)
  })

  it('round trips any plaintext, the empty one included', () => {
    const ring = new Keyring([k1])
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), fc.option(fc.string({ maxLength: 40 }), { nil: undefined }), (bytes, label) => {
      expect(decrypt(ring, label, encrypt(ring, label, bytes))).to.deep.equal(Buffer.from(bytes))
    }))
  })

  it('a sealed message is version byte, 12-byte nonce, ciphertext and 16-byte tag', () => {
    const sealed = encrypt(new Keyring([k1]), undefined, text)
    expect(sealed[0]).to.equal(ENCRYPTION_VERSION)
    expect(sealed.length).to.equal(text.length + ENCRYPTION_OVERHEAD_BYTES)
    expect(ENCRYPTION_OVERHEAD_BYTES).to.equal(29)
  })

  it('the overhead fits within a datagram budget the core can still use', () => {
    expect(lanConfig.udpPacketSize - ENCRYPTION_OVERHEAD_BYTES).to.be.greaterThan(1300)
  })

  it('two seals of the same plaintext differ (fresh nonce each time)', () => {
    const ring = new Keyring([k1])
    expect(encrypt(ring, undefined, text).equals(encrypt(ring, undefined, text))).to.equal(false)
  })

  it('a message sealed with another key does not open', () => {
    expect(() => decrypt(new Keyring([k2]), undefined, encrypt(new Keyring([k1]), undefined, text))).to.throw(DecodeError)
  })

  it('any single flipped bit makes a message fail', () => {
    const ring = new Keyring([k1])
    const sealed = encrypt(ring, 'l', text)
    fc.assert(fc.property(fc.nat({ max: sealed.length * 8 - 1 }), (bit) => {
      const copy = Buffer.from(sealed)
      copy[bit >> 3] = (copy[bit >> 3] as number) ^ (1 << (bit & 7))
      expect(() => decrypt(ring, 'l', copy)).to.throw(DecodeError)
    }))
  })

  it('a truncated message, or one shorter than the overhead, fails', () => {
    const ring = new Keyring([k1])
    const sealed = encrypt(ring, undefined, text)
    expect(() => decrypt(ring, undefined, sealed.subarray(0, sealed.length - 1))).to.throw(DecodeError)
    expect(() => decrypt(ring, undefined, Buffer.alloc(10))).to.throw(DecodeError)
    expect(() => decrypt(ring, undefined, Buffer.alloc(0))).to.throw(DecodeError)
  })

  it('random bytes never open and never throw anything but DecodeError', () => {
    const ring = new Keyring([k1, k2])
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      expect(() => decrypt(ring, undefined, bytes)).to.throw(DecodeError)
    }))
  })

  it('a message under a different label, or with no label, fails; and a labelled one fails without the label', () => {
    const ring = new Keyring([k1])
    expect(() => decrypt(ring, 'blue', encrypt(ring, 'green', text))).to.throw(DecodeError)
    expect(() => decrypt(ring, 'blue', encrypt(ring, undefined, text))).to.throw(DecodeError)
    expect(() => decrypt(ring, undefined, encrypt(ring, 'blue', text))).to.throw(DecodeError)
  })

  it('every installed key decrypts, and only the primary encrypts', () => {
    const ring = new Keyring([k1, k2])
    expect(decrypt(ring, undefined, encrypt(new Keyring([k2]), undefined, text))).to.deep.equal(text)
    expect(() => decrypt(new Keyring([k2]), undefined, encrypt(ring, undefined, text))).to.throw(DecodeError)
  })

  it('rotation add → use → remove keeps every message in flight readable by every node', () => {
    const a = new Keyring([k1])
    const b = new Keyring([k1])
    const exchange = (): void => {
      expect(decrypt(b, undefined, encrypt(a, undefined, text))).to.deep.equal(text)
      expect(decrypt(a, undefined, encrypt(b, undefined, text))).to.deep.equal(text)
    }
    a.addKey(k2); exchange()
    b.addKey(k2); exchange()
    a.useKey(k2); exchange()
    b.useKey(k2); exchange()
    a.removeKey(k1); exchange()
    b.removeKey(k1); exchange()
    expect(a.keys().map(k => k.toString('base64'))).to.deep.equal([k2])
    expect(() => decrypt(a, undefined, encrypt(new Keyring([k1]), undefined, text))).to.throw(DecodeError)
  })

  it('keys() lists the primary first; useKey and removeKey follow the rules', () => {
    const ring = new Keyring([k1, k2])
    ring.addKey(k3)
    ring.addKey(k3)
    expect(ring.keys().map(k => k.toString('base64'))).to.deep.equal([k1, k2, k3])
    ring.useKey(k3)
    expect(ring.primaryKey.toString('base64')).to.equal(k3)
    expect(() => { ring.removeKey(k3) }).to.throw(InvalidArgumentError)
    expect(() => { ring.useKey(generateKey()) }).to.throw(InvalidArgumentError)
    ring.removeKey(k1)
    expect(ring.keys().map(k => k.toString('base64'))).to.deep.equal([k3, k2])
  })

  it('keys must be 32 bytes, raw or base64', () => {
    expect(() => new Keyring([])).to.throw(InvalidArgumentError)
    expect(() => new Keyring([randomBytes(16)])).to.throw(InvalidArgumentError)
    expect(() => new Keyring(['not base64!'])).to.throw(InvalidArgumentError)
    expect(new Keyring([randomBytes(KEY_BYTES)]).keys()).to.have.length(1)
  })

  it('keys() hands out copies that cannot change the ring', () => {
    const ring = new Keyring([k1])
    const copy = ring.keys()[0] as Buffer
    copy.fill(0)
    expect(decrypt(ring, undefined, encrypt(new Keyring([k1]), undefined, text))).to.deep.equal(text)
  })
})
