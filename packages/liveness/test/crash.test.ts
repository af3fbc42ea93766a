import { expect } from 'chai'
import { waitFor } from '@clusterfunk/core'
import { LivenessChecker, type NodeAliveEvent, type NodeDeadEvent } from '../src/index.js'
import { killResponder, spawnResponder, type Responder } from './fixtures/spawn.js'

describe('LivenessChecker against a responder process', () => {
  const children: Responder[] = []
  let checker: LivenessChecker | undefined
  afterEach(async () => {
    await Promise.all(children.splice(0).map(killResponder))
    await checker?.stop()
  })

  it('a responder killed with SIGKILL is declared dead, and alive again once restarted on its port', async () => {
    const first = await spawnResponder({ id: 'crash-a' })
    children.push(first)
    const port = first.ports[0] as number
    checker = new LivenessChecker({}, { intervalMs: 50, retries: 3 })
    const dead: NodeDeadEvent[] = []
    const alive: NodeAliveEvent[] = []
    checker.addEventListener('node:dead', e => { dead.push(e.detail) })
    checker.addEventListener('node:alive', e => { alive.push(e.detail) })
    await checker.start()
    checker.add('crash-a', { host: '127.0.0.1', port })
    await waitFor(() => alive.length === 1, { timeoutMs: 15_000, what: 'first node:alive' })

    process.kill(first.pid, 'SIGKILL')
    await waitFor(() => dead.length === 1, { timeoutMs: 15_000, what: 'node:dead' })
    expect(dead[0]).to.include({ nodeId: 'crash-a', previous: 'alive', misses: 3 })

    const second = await spawnResponder({ id: 'crash-a', port })
    children.push(second)
    await waitFor(() => alive.length === 2, { timeoutMs: 15_000, what: 'node:alive after restart' })
    expect(alive[1]).to.include({ nodeId: 'crash-a', previous: 'dead' })
    expect(dead).to.have.length(1)
  })
})
