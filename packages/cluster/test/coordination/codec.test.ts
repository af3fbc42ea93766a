import { expect } from 'chai'
import fc from 'fast-check'
import { DecodeError } from '@clusterfunk/core'
import { ShardMap } from '@clusterfunk/sharding'
import type {
  CoordinationReplica} from '../../src/index.js';
import { ShardCoordinator, decodeCommand, decodeCoordinationCommand, decodeNodeSnapshot, encodeCommand, encodeCoordinationCommand,
  encodeCoordinatorSnapshot, type CoordinationOp
} from '../../src/index.js'
import { ClusterFsm } from '../../src/cluster/fsm.js'
import { noopMetrics, ManualClock, silentLogger } from '@clusterfunk/core'

const opArb: fc.Arbitrary<CoordinationOp> = fc.oneof(
  fc.record({ type: fc.constant('state-put' as const), key: fc.string({ minLength: 1, maxLength: 20 }), value: fc.uint8Array({ maxLength: 32 }) }),
  fc.record({ type: fc.constant('state-put' as const), key: fc.string({ minLength: 1, maxLength: 20 }), value: fc.uint8Array({ maxLength: 32 }), expected: fc.nat() }),
  fc.record({ type: fc.constant('state-delete' as const), key: fc.string({ minLength: 1, maxLength: 20 }), expected: fc.nat() }),
  fc.record({ type: fc.constant('acquire' as const), name: fc.string({ minLength: 1, maxLength: 10 }), owner: fc.string({ minLength: 1, maxLength: 10 }), nodeId: fc.constantFrom('n1', 'n2'), ttlMs: fc.integer({ min: 200, max: 600_000 }), waitMs: fc.nat(86_400_000) }),
  fc.record({ type: fc.constantFrom('renew' as const, 'release' as const, 'expire' as const), name: fc.string({ minLength: 1, maxLength: 10 }), token: fc.integer({ min: 1 }) }),
  fc.record({ type: fc.constant('cancel' as const), name: fc.string({ minLength: 1, maxLength: 10 }), owner: fc.string({ minLength: 1, maxLength: 10 }) }),
  fc.record({ type: fc.constant('drop-node' as const), nodeId: fc.string({ minLength: 1, maxLength: 10 }) })
)

function fsm (): ClusterFsm {
  const clock = new ManualClock()
  return new ClusterFsm({ coordinator: new ShardCoordinator({ nodeId: 'a', shardCount: 16 }), clock, logger: silentLogger(), dropped: noopMetrics.counter({ name: 'x', help: 'x' }) }, () => {})
}

async function snapshotOf (f: ClusterFsm): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  for await (const c of f.snapshot()) chunks.push(c)
  return Buffer.concat(chunks)
}

describe('coordination codec', () => {
  it('round-trips every coordination command', () => {
    fc.assert(fc.property(opArb, fc.nat(), fc.string({ maxLength: 20 }), (op, atMs, requestId) => {
      expect(decodeCoordinationCommand(encodeCoordinationCommand({ requestId, atMs, op }))).to.deep.equal({ requestId, atMs, op })
    }))
  })

  it('leaves shard-map commands to their own decoder, and refuses out-of-range fields', () => {
    const map = ShardMap.init(16, ['a'])
    const bytes = encodeCommand({ type: 'commit', version: 2 })
    expect(decodeCoordinationCommand(bytes)).to.equal(undefined)
    expect(decodeCommand(bytes)).to.deep.equal({ type: 'commit', version: 2 })
    expect(decodeCoordinationCommand(encodeCommand({ type: 'propose', version: 1, map }))).to.equal(undefined)
    const short = encodeCoordinationCommand({ requestId: '', atMs: 0, op: { type: 'acquire', name: 'L', owner: 'o', nodeId: 'n', ttlMs: 10, waitMs: 0 } })
    expect(() => decodeCoordinationCommand(short)).to.throw(DecodeError, /ttl/)
    expect(() => decodeCommand(short)).to.throw(DecodeError)
  })

  it('snapshots the coordinator and the shared state together, and restores both', async () => {
    const a = fsm()
    a.apply({ index: 1, term: 1, data: encodeCoordinationCommand({ requestId: '', atMs: 5, op: { type: 'state-put', key: 'k', value: Uint8Array.of(1, 2) } }) } as never)
    a.apply({ index: 2, term: 1, data: encodeCoordinationCommand({ requestId: '', atMs: 5, op: { type: 'acquire', name: 'L', owner: 'o', nodeId: 'n', ttlMs: 1_000, waitMs: 0 } }) } as never)
    const bytes = await snapshotOf(a)
    expect(decodeNodeSnapshot(bytes).coordination).to.not.equal(undefined)
    const b = fsm()
    await b.restore((async function * () { yield bytes })())
    expect(b.coordination.store.snapshot()).to.deep.equal(a.coordination.store.snapshot())
    expect(b.coordination.locks.snapshot()).to.deep.equal(a.coordination.locks.snapshot())
  })

  it('restores a snapshot of the older format (the coordinator alone) with an empty shared state', async () => {
    const map = ShardMap.init(16, ['a'])
    const legacy = encodeCoordinatorSnapshot({ maxVersion: 3, committed: { version: 3, map } })
    expect(decodeNodeSnapshot(legacy)).to.deep.equal({ coordinator: legacy, coordination: undefined })
    const b = fsm()
    const replica: CoordinationReplica = b.coordination
    replica.store.put('stale', Uint8Array.of(1), undefined, 0)
    await b.restore((async function * () { yield legacy })())
    expect(replica.store.size).to.equal(0)
    expect(replica.store.revision).to.equal(0)
  })
})
