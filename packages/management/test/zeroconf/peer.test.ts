import { expect } from 'chai'
import { encodeTxt, judgeRecord, type BrowsedRecord } from '../../src/index.js'

const txt = encodeTxt({ clusterName: 'orders', nodeId: 'node-b', kind: 'swim', port: 7946, ports: { swim: 7946 }, protocolVersion: 1 })
const record: BrowsedRecord = { name: 'orders_swim_node-b', host: 'b.local', port: 7946, txt, addresses: ['10.0.0.2'], referer: { address: '10.0.0.9' } }

describe('judging a browsed zeroconf record', () => {
  it('makes a peer of a valid record of the same cluster', () => {
    const verdict = judgeRecord(record, 'orders', 'node-a')
    expect(verdict.kind).to.equal('peer')
    if (verdict.kind === 'peer') expect(verdict.peer).to.deep.include({ instance: 'orders_swim_node-b', host: 'b.local', addresses: ['10.0.0.2'] })
  })

  it('falls back to the sender\'s address when the record came without A/AAAA records', () => {
    const verdict = judgeRecord({ ...record, addresses: [] }, 'orders', 'node-a')
    expect(verdict.kind === 'peer' && verdict.peer.addresses).to.deep.equal(['10.0.0.9'])
  })

  it('recognises the node\'s own records', () => {
    expect(judgeRecord(record, 'orders', 'node-b')).to.deep.equal({ kind: 'own' })
  })

  it('counts another cluster\'s records as foreign', () => {
    expect(judgeRecord(record, 'billing', 'node-a')).to.deep.include({ kind: 'ignored', reason: 'foreign' })
  })

  it('ignores a record whose name, SRV port and TXT disagree', () => {
    expect(judgeRecord({ ...record, name: 'orders_swim_node-c' }, 'orders', 'node-a')).to.deep.include({ reason: 'malformed' })
    expect(judgeRecord({ ...record, name: 'orders_mgmt_node-b' }, 'orders', 'node-a')).to.deep.include({ reason: 'malformed' })
    expect(judgeRecord({ ...record, port: 1 }, 'orders', 'node-a')).to.deep.include({ reason: 'malformed' })
    expect(judgeRecord({ ...record, name: 'Living Room TV' }, 'orders', 'node-a')).to.deep.include({ reason: 'malformed' })
    expect(judgeRecord({ ...record, txt: undefined }, 'orders', 'node-a')).to.deep.include({ reason: 'malformed' })
  })
})
