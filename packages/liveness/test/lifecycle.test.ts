import { expect } from 'chai'
import { InvalidArgumentError, InvalidConfigError, ManualClock, NotStartedError, waitFor } from '@clusterfunk/core'
import { LivenessChecker, LivenessEndpoint, type LivenessCheckerInit } from '../src/index.js'

/** Open UDP sockets and pending immediates of this process (unref'd timers are not listed; see the ManualClock test). */
function openResources (): { udp: number, immediates: number } {
  const info = process.getActiveResourcesInfo()
  return {
    udp: info.filter(r => r === 'UDPWrap').length,
    immediates: info.filter(r => r === 'Immediate').length
  }
}

describe('liveness lifecycle and options', () => {
  it('stop() closes every socket the endpoint and checker opened', async () => {
    const before = openResources()
    const endpoint = new LivenessEndpoint({}, { nodeId: 'node-a' })
    const checker = new LivenessChecker({}, { intervalMs: 20 })
    await endpoint.start()
    await checker.start()
    checker.add('node-a', endpoint.address())
    await waitFor(() => checker.nodeStatus('node-a')?.state === 'alive', { timeoutMs: 10_000 })
    expect(openResources().udp).to.equal(before.udp + 2)
    await checker.stop()
    await endpoint.stop()
    // A closed handle leaves the list once libuv finished closing it, a moment after close().
    const same = (): boolean => JSON.stringify(openResources()) === JSON.stringify(before)
    await waitFor(same, { timeoutMs: 5_000, what: 'resources released' }).catch(() => undefined)
    expect(openResources()).to.deep.equal(before)
  })

  it('stop() cancels the checker\'s timer', async () => {
    const clock = new ManualClock()
    const checker = new LivenessChecker({ clock }, { intervalMs: 20 })
    await checker.start()
    checker.add('node-a', { host: '127.0.0.1', port: 9 })
    expect(clock.pending).to.equal(2) // its probe timer and its own local-health monitor's
    await checker.stop()
    expect(clock.pending).to.equal(0)
  })

  it('start and stop are idempotent and a stopped checker starts again', async () => {
    const endpoint = new LivenessEndpoint({}, { nodeId: 'node-a' })
    const checker = new LivenessChecker({}, { intervalMs: 20 })
    try {
      await Promise.all([endpoint.start(), endpoint.start()])
      const address = endpoint.address()
      await endpoint.start()
      expect(endpoint.address()).to.deep.equal(address)
      checker.add('node-a', address)
      await checker.start()
      await Promise.all([checker.stop(), checker.stop()])
      await checker.stop()
      expect(checker.status).to.equal('stopped')
      expect(() => checker.address()).to.throw(NotStartedError)
      await checker.start()
      await waitFor(() => checker.nodeStatus('node-a')?.state === 'alive', { timeoutMs: 10_000 })
      expect(checker.nodeStatus('node-a')?.state).to.equal('alive')
    } finally {
      await checker.stop()
      await endpoint.stop()
    }
  })

  it('bad checker options throw InvalidConfigError naming the option', () => {
    const cases: Array<[LivenessCheckerInit, string]> = [
      [{ intervalMs: 0 }, 'intervalMs'],
      [{ retries: 0 }, 'retries'],
      [{ retries: 1.5 }, 'retries'],
      [{ timeoutMultiplier: Number.NaN }, 'timeoutMultiplier'],
      [{ intervalMs: 50, minTimeoutMs: 60 }, 'minTimeoutMs'],
      [{ host: 'localhost' }, 'host'],
      [{ port: 70_000 }, 'port'],
      [{ key: 'short' }, 'key']
    ]
    for (const [init, option] of cases) {
      expect(() => new LivenessChecker({}, init), option).to.throw(InvalidConfigError).with.property('option', option)
    }
  })

  it('bad endpoint options throw InvalidConfigError naming the option', () => {
    expect(() => new LivenessEndpoint({}, { nodeId: '' })).to.throw(InvalidConfigError).with.property('option', 'nodeId')
    expect(() => new LivenessEndpoint({}, { nodeId: 'x'.repeat(128) })).to.throw(InvalidConfigError).with.property('option', 'nodeId')
    expect(() => new LivenessEndpoint({}, { nodeId: 'a', port: -1 })).to.throw(InvalidConfigError).with.property('option', 'port')
    expect(() => new LivenessEndpoint({}, { nodeId: 'a', host: 'example.com' })).to.throw(InvalidConfigError).with.property('option', 'host')
  })

  it('adding a node with a host name or a bad port throws InvalidArgumentError', () => {
    const checker = new LivenessChecker()
    expect(() => { checker.add('a', { host: 'localhost', port: 7000 }) }).to.throw(InvalidArgumentError)
    expect(() => { checker.add('a', { host: '::1', port: 7000 }) }).to.throw(InvalidArgumentError)
    expect(() => { checker.add('a', { host: '127.0.0.1', port: 0 }) }).to.throw(InvalidArgumentError)
    expect(() => { checker.add('', { host: '127.0.0.1', port: 7000 }) }).to.throw(InvalidArgumentError)
    expect(checker.nodes()).to.deep.equal([])
  })
})
