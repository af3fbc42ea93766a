import { expect } from 'chai'
import { SeededRandom } from '@clusterfunk/core'
import { MemoryStorage, RaftCore, type Message } from '../src/index.js'

describe('README example', () => {
  it('a one-node group elects itself, commits a proposal and applies it', () => {
    const storage = new MemoryStorage({ voters: [{ id: 'n1', address: '127.0.0.1:7000' }], nonVoters: [] })
    const core = new RaftCore({ id: 'n1', storage, random: new SeededRandom(1) })
    const applied: string[] = []
    const send = (_m: Message): void => { /* a one-node group sends nothing */ }

    const drive = (): void => {
      while (core.hasReady()) {
        const rd = core.ready()
        storage.append(rd.entries) // 1. persist entries and hard state (fsync on a disk)...
        if (rd.hardState !== undefined) storage.setHardState(rd.hardState)
        for (const m of rd.messages) send(m) // 2. ...then send
        for (const e of rd.committedEntries) { // 3. apply in order
          if (e.type === 'normal') applied.push(new TextDecoder().decode(e.data))
        }
        core.advance()
      }
    }

    for (let i = 0; i < 100 && core.status().role !== 'leader'; i++) { // a driver ticks every 100 ms
      core.tick()
      drive()
    }
    const result = core.propose(new TextEncoder().encode('hello'))
    drive()
    expect(result).to.deep.include({ ok: true, index: 2, term: 1 })
    expect(applied).to.deep.equal(['hello'])
  })
})
