import { expect } from 'chai'
import fc from 'fast-check'
import { DecodeError, MAP_VERSIONS } from '@clusterfunk/core'
import { loadType } from '@clusterfunk/proto'
import { ShardMap } from '@clusterfunk/sharding'
import {
  ShardCoordinator, decodeAck, decodeCommand, decodeCoordinatorSnapshot, encodeAck, encodeCommand, encodeCoordinatorSnapshot
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

describe('cluster command codec: map versions at the edges of their range', () => {
  const Command = loadType('cluster.proto', 'clusterfunk.cluster.Command')
  const Ack = loadType('cluster.proto', 'clusterfunk.cluster.ShardMapAck')
  const max = MAP_VERSIONS.max
  // As decimal strings, so protobufjs writes them exactly, past 2^53 too.
  const edges: Array<[string, boolean]> = [
    ['0', false], ['1', true], [String(max - 1), true], [String(max), true], [String(max + 1), false],
    ['9007199254740992', false], ['9007199254740993', false], ['18446744073709551615', false]
  ]
  const commit = (v: string): Uint8Array => Command.encode(Command.fromObject({ format: 1, commit: { mapVersion: v } })).finish()
  const ack = (v: string): Uint8Array => Ack.encode(Ack.fromObject({ format: 1, mapVersion: v, nodeId: 'b' })).finish()

  it('takes 1..MAP_VERSIONS.max in commits and acks, and refuses 0, max+1 and every unsafe value with a DecodeError naming the field', () => {
    for (const [v, ok] of edges) {
      for (const [decode, bytes] of [[decodeCommand, commit(v)], [decodeAck, ack(v)]] as const) {
        if (ok) {
          expect(decode(bytes)).to.include({ version: Number(v) })
        } else {
          expect(() => decode(bytes), v).to.throw(DecodeError)
        }
      }
    }
  })

  it('refuses a snapshot whose max version is past the range', () => {
    const State = loadType('cluster.proto', 'clusterfunk.cluster.CoordinatorState')
    for (const [v, ok] of edges) {
      const bytes = State.encode(State.fromObject({ format: 1, maxVersion: v, committedVersion: 0, pendingVersion: 0 })).finish()
      if (ok || v === '0') expect(decodeCoordinatorSnapshot(bytes).maxVersion).to.equal(Number(v))
      else expect(() => decodeCoordinatorSnapshot(bytes), v).to.throw(DecodeError, /max_version/)
    }
  })

  it('any uint64 a peer could write decodes in range or throws DecodeError, never anything else', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), big => {
      try {
        const c = decodeCommand(commit(big.toString()))
        expect(c.version).to.be.within(1, max)
      } catch (err) {
        expect(err).to.be.instanceOf(DecodeError)
      }
    }), { numRuns: 300 })
  })
})

describe('ShardCoordinator at the end of the map-version range', () => {
  it('stops proposing, and counts it, instead of proposing a version past MAP_VERSIONS.max', () => {
    const c = new ShardCoordinator({ nodeId: 'a', shardCount: 16, ackTimeoutMs: 500, leaseMs: 150 })
    c.restore(0, { maxVersion: MAP_VERSIONS.max })
    c.becomeLeader(0)
    c.setCandidates(0, new Map([['a', 1]]))
    c.tick(1)
    expect(c.drain().append.filter(x => x.type === 'propose')).to.deep.equal([])
    expect(c.counters.versionsExhausted).to.be.at.least(1)
  })
})
