import { expect } from 'chai'
import { ackedKeys, lostAckedWrites, mapViolations, recovered, servingViolations, staleReads, type MapRecord, type RequestRecord } from '../src/checks.js'

/** A map of 4 shards: shard i → owners[i]. */
function map (version: number, owners: string[]): MapRecord {
  return { version, digest: owners.join(','), ownerOf: s => owners[s] }
}

function served (over: Partial<RequestRecord>): RequestRecord {
  return { op: 'get', key: 'k', seq: undefined, start: 0, end: 1, status: 404, servedBy: 'a', shard: 0, mapVersion: 1, ...over }
}

describe('chaos checks', () => {
  describe('one committed map per version', () => {
    it('passes when every node served the same map for a version', () => {
      expect(mapViolations(new Map([[1, new Set(['x'])], [2, new Set(['y'])]]))).to.deep.equal([])
    })

    it('flags a version served as two different maps', () => {
      const v = mapViolations(new Map([[1, new Set(['x'])], [2, new Set(['y', 'z'])]]))
      expect(v).to.have.length(1)
      expect(v[0]?.kind).to.equal('map')
      expect(v[0]?.detail).to.include('version 2 has 2 different maps')
    })
  })

  describe('no request served by a non-owner', () => {
    const maps = new Map([[1, map(1, ['a', 'b', 'a', 'b'])], [2, map(2, ['c', 'b', 'a', 'b'])]])
    const commits = [{ version: 1, at: 0 }, { version: 2, at: 100 }]

    it('passes a request served by its shard\'s owner in the map it names', () => {
      const r = servingViolations([served({ servedBy: 'a', shard: 0, mapVersion: 1, start: 50 }), served({ servedBy: 'c', shard: 0, mapVersion: 2, start: 150 })], maps, commits)
      expect(r).to.deep.equal({ violations: [], checked: 2 })
    })

    it('flags a request served by a node its map does not make the owner', () => {
      const r = servingViolations([served({ servedBy: 'b', shard: 0, mapVersion: 1 })], maps, commits)
      expect(r.violations.map(v => v.kind)).to.deep.equal(['non-owner'])
    })

    it('flags a request started after a newer map gave its shard away, served by the old map', () => {
      const r = servingViolations([served({ servedBy: 'a', shard: 0, mapVersion: 1, start: 150 })], maps, commits)
      expect(r.violations.map(v => v.kind)).to.deep.equal(['stale-map'])
    })

    it('passes an old-map request when the newer map keeps the shard with the same owner, or came after the request started', () => {
      const r = servingViolations([served({ servedBy: 'b', shard: 1, mapVersion: 1, start: 150 }), served({ servedBy: 'a', shard: 0, mapVersion: 1, start: 90 })], maps, commits)
      expect(r.violations).to.deep.equal([])
    })

    it('does not count a request whose map the harness never saw as checked', () => {
      expect(servingViolations([served({ mapVersion: 9 })], maps, commits).checked).to.equal(0)
    })
  })

  describe('no stale read', () => {
    const put = (seq: number, start: number, end: number): RequestRecord => served({ op: 'put', seq, start, end, status: 204 })
    const get = (seq: number, start: number): RequestRecord => served({ op: 'get', seq, start, end: start + 1, status: 200 })

    it('passes reads of the newest acknowledged value, of a newer one, and a miss', () => {
      expect(staleReads([put(1, 0, 10), put(2, 20, 30), get(2, 40), get(3, 40), served({ op: 'get', status: 404, start: 40 })])).to.deep.equal([])
    })

    it('passes a read of an older value when the newer write was not acknowledged before the read began', () => {
      expect(staleReads([put(1, 0, 10), put(2, 20, 50), get(1, 40)])).to.deep.equal([])
    })

    it('flags a read of a value older than one acknowledged before it started', () => {
      const v = staleReads([put(1, 0, 10), put(2, 20, 30), get(1, 40)])
      expect(v.map(x => x.kind)).to.deep.equal(['stale-read'])
      expect(v[0]?.detail).to.include('read #1, but #2 was acknowledged')
    })
  })

  describe('recovered', () => {
    const nodes = ['a', 'b', 'c']
    const op = (version: number, owners = nodes): { state: string, version: number, owners: string[] } => ({ state: 'Operational', version, owners })

    it('holds when every node is Operational on one version owned by exactly the nodes', () => {
      expect(recovered(new Map([['a', op(3)], ['b', op(3)], ['c', op(3)]]), nodes)).to.equal(true)
    })

    it('does not hold with a node not Operational, on another version, or a map without a node', () => {
      expect(recovered(new Map([['a', op(3)], ['b', { ...op(3), state: 'Voting' }], ['c', op(3)]]), nodes)).to.equal(false)
      expect(recovered(new Map([['a', op(3)], ['b', op(2)], ['c', op(3)]]), nodes)).to.equal(false)
      expect(recovered(new Map([['a', op(3, ['a', 'b'])], ['b', op(3, ['a', 'b'])], ['c', op(3, ['a', 'b'])]]), nodes)).to.equal(false)
      expect(recovered(new Map([['a', op(3)], ['b', op(3)]]), nodes)).to.equal(false)
    })
  })

  describe('no acknowledged write lost', () => {
    const put = (key: string, seq: number, status: number): RequestRecord => served({ op: 'put', key, seq, status })
    const history = [put('k1', 1, 204), put('k1', 2, 204), put('k1', 3, 503), put('k2', 1, 204), put('k3', 1, 0)]

    it('passes when every key reads back its newest acknowledged value or a newer one', () => {
      expect(ackedKeys(history)).to.deep.equal(['k1', 'k2'])
      expect(lostAckedWrites(history, new Map([['k1', 2], ['k2', 1]]))).to.deep.equal([])
      // #3 timed out for the client but was applied: newer than acknowledged is no loss.
      expect(lostAckedWrites(history, new Map([['k1', 3], ['k2', 1]]))).to.deep.equal([])
    })

    it('catches what a cache that loses a killed owner\'s keys does: a key gone, or back at an older value', () => {
      const lost = lostAckedWrites(history, new Map<string, number | undefined>([['k1', 1], ['k2', undefined]]))
      expect(lost.map(v => v.kind)).to.deep.equal(['lost-write', 'lost-write'])
      expect(lost[0]?.detail).to.equal('k1: #2 was acknowledged, but reading it back gave #1')
      expect(lost[1]?.detail).to.equal('k2: #1 was acknowledged, but reading it back gave nothing')
    })

    it('counts a key that could not be read back at all as lost', () => {
      const lost = lostAckedWrites(history, new Map([['k1', 2]]))
      expect(lost.map(v => v.detail)).to.deep.equal(['k2: #1 was acknowledged, but the key could not be read back'])
    })
  })
})
