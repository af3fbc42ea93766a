import { expect } from 'chai'
import fc from 'fast-check'
import { DecodeError } from '@clusterfunk/core'
import { ShardMap } from '@clusterfunk/sharding'
import {
  decodeAck, decodeCommand, decodeCoordinatorSnapshot, encodeAck, encodeCommand, encodeCoordinatorSnapshot
} from '../../src/index.js'

const map = ShardMap.init(64, ['a', 'b', 'c'])

describe('cluster command codec', () => {
  it('round-trips proposals, commits, snapshots and acks', () => {
    const p = decodeCommand(encodeCommand({ type: 'propose', version: 3, map }))
    expect(p.type === 'propose' && p.version === 3 && p.map.equals(map)).to.equal(true)
    expect(decodeCommand(encodeCommand({ type: 'commit', version: 9 }))).to.deep.equal({ type: 'commit', version: 9 })
    const s = decodeCoordinatorSnapshot(encodeCoordinatorSnapshot({ maxVersion: 4, committed: { version: 3, map }, pending: { version: 4, map } }))
    expect(s.maxVersion).to.equal(4)
    expect(s.committed?.map.equals(map)).to.equal(true)
    expect(s.pending?.version).to.equal(4)
    expect(decodeCoordinatorSnapshot(encodeCoordinatorSnapshot({ maxVersion: 0 }))).to.deep.equal({ maxVersion: 0 })
    expect(decodeAck(encodeAck({ version: 2, nodeId: 'b' }))).to.deep.equal({ version: 2, nodeId: 'b' })
  })

  it('turns random bytes into DecodeError, never another error', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), bytes => {
      for (const decode of [decodeCommand, decodeCoordinatorSnapshot, decodeAck]) {
        try {
          decode(bytes)
        } catch (err) {
          expect(err).to.be.instanceOf(DecodeError)
        }
      }
    }), { numRuns: 500 })
  })

  it('rejects every truncation of a proposal', () => {
    const bytes = encodeCommand({ type: 'propose', version: 3, map })
    for (let n = 0; n < bytes.length; n++) {
      expect(() => decodeCommand(bytes.subarray(0, n)), `prefix of ${n} bytes`).to.throw(DecodeError)
    }
  })

  it('rejects a snapshot whose versions contradict each other', () => {
    const bad = encodeCoordinatorSnapshot({ maxVersion: 2, committed: { version: 3, map } })
    expect(() => decodeCoordinatorSnapshot(bad)).to.throw(DecodeError, 'inconsistent')
  })
})
