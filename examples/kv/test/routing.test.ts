import { expect } from 'chai'
import { route } from '../src/routing.js'
import { FakeView } from './fake-view.js'

describe('route', () => {
  const view = new FakeView('a')
  view.owners.set('mine', 'a')
  view.owners.set('theirs!', 'b')
  view.owners.set('nobody-knows', 'c')
  view.endpoints.set('b', 'http://127.0.0.1:1002')

  it('serves a key whose shard this node owns locally', () => {
    expect(route(view, 'mine', false)).to.deep.equal({ kind: 'local', shard: 4 })
  })

  it('forwards a key owned elsewhere to the owner\'s ep.kv endpoint', () => {
    expect(route(view, 'theirs!', false)).to.deep.equal({ kind: 'forward', shard: 7, owner: 'b', url: 'http://127.0.0.1:1002' })
  })

  it('never forwards a request that was already forwarded, so stale maps cannot loop', () => {
    const r = route(view, 'theirs!', true)
    expect(r.kind).to.equal('unavailable')
    expect(r.kind === 'unavailable' && r.reason).to.include('belongs to b')
  })

  it('serves a forwarded request for a key it owns', () => {
    expect(route(view, 'mine', true)).to.deep.equal({ kind: 'local', shard: 4 })
  })

  it('reports an owner without an ep.kv endpoint as unavailable', () => {
    const r = route(view, 'nobody-knows', false)
    expect(r.kind === 'unavailable' && r.reason).to.include('publishes no ep.kv')
  })

  it('reports a shard without an owner as unavailable', () => {
    expect(route(view, 'x', false).kind).to.equal('unavailable')
  })
})
