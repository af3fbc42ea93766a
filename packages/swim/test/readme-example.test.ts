import { expect } from 'chai'
import { SeededRandom } from '@clusterfunk/core'
import { decodePacket, encodePacket, localConfig, SwimCore } from '../src/index.js'

// The example of README.md, with its console output collected instead.
describe('the README example', () => {
  it('two cores wired by a loop find each other and see each other\'s tags', () => {
    const log: string[] = []
    const a = new SwimCore({ id: 'a', address: 'a:7946', tags: { 'ep.http': 'http://10.0.0.1:8080' }, config: localConfig, random: new SeededRandom(1) })
    const b = new SwimCore({ id: 'b', address: 'b:7946', config: localConfig, random: new SeededRandom(2) })
    const cores = new Map([['a:7946', a], ['b:7946', b]])

    b.join(0, ['a:7946'])
    for (let now = 0; now <= 3000; now += 10) {
      for (const [address, core] of cores) {
        if (core.nextTickAt() <= now) core.tick(now)
        const out = core.drain()
        for (const p of out.packets) {
          const bytes = encodePacket(p.messages) // what a UDP driver sends
          cores.get(p.to)?.receive(now, address, { type: 'compound', messages: decodePacket(bytes) })
        }
        for (const r of out.requests) {
          const peer = cores.get(r.to)
          if (peer === undefined) continue
          if (r.kind === 'push-pull') {
            peer.mergeRemoteState(now, core.localState(r.join))
            core.mergeRemoteState(now, peer.localState())
          } else if (r.kind === 'ping') {
            core.fallbackPingResult(now, r.ping.seq, peer.answerStreamPing(r.ping) !== undefined)
          } else {
            peer.receive(now, address, { type: 'compound', messages: [...r.messages] })
          }
        }
        for (const e of out.events) log.push(`${now} ${address} ${e.type} ${e.member.id}`)
      }
    }
    log.push(`${b.member('a')?.status ?? ''} ${b.member('a')?.tags.get('ep.http') ?? ''}`)

    expect(log).to.deep.equal(['10 a:7946 member:join b', '10 b:7946 member:join a', 'alive http://10.0.0.1:8080'])
  })
})
