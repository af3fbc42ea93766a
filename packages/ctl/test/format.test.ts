import { expect } from 'chai'
import { formatEndpointTree, formatEvent, formatShards, parseDuration, table, UsageError } from '../src/index.js'

describe('funkctl formatting and parsing', () => {
  it('table aligns columns, numbers to the right, without trailing spaces', () => {
    expect(table(['A', 'NUM', 'C'], [['long-name', '5', ''], ['x', '12345', 'z']], ['left', 'right'])).to.equal(
      'A            NUM  C\nlong-name      5\nx          12345  z\n')
  })

  it('shards shows the unassigned shards of a map that does not cover every shard', () => {
    expect(formatShards({ total: 10, mapVersion: 0, replicationFactor: 1, nodes: [] })).to.equal(
      'NODE          SHARDS  PERCENT\n(unassigned)      10  100.00%\nTOTAL             10  100.00%\nno shard map committed yet\n')
  })

  it('shards shows what each node holds as a replica when the map has replicas', () => {
    expect(formatShards({
      total: 4,
      mapVersion: 3,
      replicationFactor: 2,
      nodes: [{ nodeId: 'a', shards: 2, percent: 50, replicas: 2 }, { nodeId: 'b', shards: 2, percent: 50, replicas: 2 }]
    })).to.equal(
      'NODE   SHARDS  PERCENT  REPLICAS\na           2   50.00%         2\nb           2   50.00%         2\nTOTAL       4  100.00%         4\n' +
      'shard map version 3, 2 owners a shard (a primary and 1 replica)\n')
  })

  it('the endpoint tree groups by name and sorts names and nodes', () => {
    expect(formatEndpointTree([
      { nodeId: 'node-b', name: 'web', address: 'b:80' }, { nodeId: 'a', name: 'web', address: 'a:80' }, { nodeId: 'a', name: 'db', address: 'a:5432' }
    ])).to.equal('db\n└─ a  a:5432\nweb\n├─ a       a:80\n└─ node-b  b:80\n')
  })

  it('events print as time, the node whose stream it is, type and detail', () => {
    expect(formatEvent({ type: 'leader:change', at: Date.UTC(2026, 0, 1) }, 'node-a')).to.equal('2026-01-01T00:00:00.000Z  node-a  leader:change  leader=(none)\n')
  })

  it('durations take ms, s, m or bare seconds, and reject the rest', () => {
    expect([parseDuration('250ms', 'x'), parseDuration('2s', 'x'), parseDuration('1m', 'x'), parseDuration('1.5', 'x')]).to.deep.equal([250, 2000, 60000, 1500])
    for (const bad of ['0', '-1s', '2h', '5 parsecs', '']) expect(() => parseDuration(bad, '--timeout')).to.throw(UsageError, '--timeout')
  })
})
