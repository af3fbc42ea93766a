import { expect } from 'chai'
import { waitFor } from '@clusterfunk/core'
import { generateKey, Swim } from '../src/index.js'

// The "On real sockets" example of README.md, with its console output collected instead.
describe('the README example on real sockets', () => {
  const nodes: Swim[] = []
  afterEach(async () => { await Promise.all(nodes.splice(0).map(async n => { await n.stop() })) })

  it('three encrypted members find each other, see each other\'s tags, and see a leave', async () => {
    const log: string[] = []
    const key = generateKey() // 32 random bytes, base64: give the same key to every member
    for (const [i, id] of ['a', 'b', 'c'].entries()) {
      nodes.push(new Swim({}, { id, port: 0, preset: 'local', keys: [key], label: 'demo', tags: { 'ep.http': `http://127.0.0.1:${8080 + i}` } }))
    }
    const [a, b, c] = nodes as [Swim, Swim, Swim]
    a.addEventListener('member:join', (e) => { log.push(`a: ${e.detail.id} joined, http at ${e.detail.tags.get('ep.http') ?? '?'}`) })
    a.addEventListener('member:update', (e) => { log.push(`a: ${e.detail.id} now has zone=${e.detail.tags.get('zone') ?? '?'}`) })
    a.addEventListener('member:leave', (e) => { log.push(`a: ${e.detail.id} left`) })
    for (const n of nodes) await n.start()

    await b.join([a.address()])
    await waitFor(() => a.members().length === 2)
    await c.join([b.address()]) // any member will do
    await waitFor(() => nodes.every(n => n.members().length === 3))

    c.setTags({ 'ep.http': 'http://127.0.0.1:8082', zone: 'eu-1' })
    await waitFor(() => a.member('c')?.tags.get('zone') === 'eu-1')
    await c.leave({ timeoutMs: 2000 })
    await c.stop()
    await waitFor(() => a.member('c')?.status === 'left')
    log.push(a.members().map(m => `${m.id}:${m.status}`).join(' '))

    expect(log).to.deep.equal([
      'a: b joined, http at http://127.0.0.1:8081',
      'a: c joined, http at http://127.0.0.1:8082',
      'a: c now has zone=eu-1',
      'a: c left',
      'a:alive b:alive'
    ])
  })
})
