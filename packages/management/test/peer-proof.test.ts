import { expect } from 'chai'
import fc from 'fast-check'
import { PeerProofVerifier, bodyDigest, peerProofKey, signPeerProof, type ProofSubject } from '../src/peer-proof.js'

describe('peer proofs', () => {
  const key = peerProofKey('a-cluster-token')
  const now = 1_800_000_000_000
  const subject: ProofSubject = { path: '/clusterfunk.management.Management/RemoveNode', audience: '127.0.0.1:7000', bodyDigest: bodyDigest(Buffer.from('remove c')) }
  const check = (v: PeerProofVerifier, proof: string, s: ProofSubject = subject, at = now): string | undefined =>
    v.verify(proof, { path: s.path, bodyDigest: s.bodyDigest }, [s.audience], at)

  it('a fresh proof for this call, this server and this body is taken once; its replay is refused', () => {
    const v = new PeerProofVerifier(key)
    const proof = signPeerProof(key, subject, now)
    expect(check(v, proof)).to.equal(undefined)
    expect(check(v, proof, subject, now + 1_000)).to.equal('replay')
  })

  it('a proof made for another address (an impostor\'s) is refused by this server', () => {
    const proof = signPeerProof(key, { ...subject, audience: '127.0.0.1:6666' }, now)
    expect(check(new PeerProofVerifier(key), proof)).to.equal('mac')
  })

  it('a proof is bound to its RPC and its body', () => {
    const proof = signPeerProof(key, subject, now)
    expect(check(new PeerProofVerifier(key), proof, { ...subject, bodyDigest: bodyDigest(Buffer.from('remove a')) })).to.equal('mac')
    expect(check(new PeerProofVerifier(key), proof, { ...subject, path: '/clusterfunk.management.Management/StepDown' })).to.equal('mac')
  })

  it('a proof made with another token, or outside the time window, is refused', () => {
    expect(check(new PeerProofVerifier(key), signPeerProof(peerProofKey('another-token'), subject, now))).to.equal('mac')
    expect(check(new PeerProofVerifier(key), signPeerProof(key, subject, now - 31_000))).to.equal('stale')
    expect(check(new PeerProofVerifier(key), signPeerProof(key, subject, now + 31_000))).to.equal('stale')
  })

  it('a full nonce memory refuses new proofs until old ones expire (it never forgets one early)', () => {
    const v = new PeerProofVerifier(key, 30_000, 2)
    expect(check(v, signPeerProof(key, subject, now))).to.equal(undefined)
    expect(check(v, signPeerProof(key, subject, now))).to.equal(undefined)
    expect(check(v, signPeerProof(key, subject, now))).to.equal('busy')
    expect(check(v, signPeerProof(key, subject, now + 30_001), subject, now + 30_001)).to.equal(undefined)
  })

  it('any string is refused without a throw', () => {
    const v = new PeerProofVerifier(key)
    fc.assert(fc.property(fc.string({ maxLength: 200 }), proof => {
      expect(check(v, proof)).to.be.oneOf(['malformed', 'stale', 'mac'])
    }), { numRuns: 500 })
    expect(check(v, `v1.${now}.${'0'.repeat(32)}.${'A'.repeat(43)}`)).to.equal('mac')
    expect(check(v, `v1.${Number.MAX_SAFE_INTEGER + 1}.${'0'.repeat(32)}.${'A'.repeat(43)}`)).to.equal('malformed')
  })
})
