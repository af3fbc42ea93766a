import { expect } from 'chai'
import { Service } from '../src/index.js'

class Recorder extends Service {
  readonly calls: string[] = []
  failStart = false
  protected async onStart (): Promise<void> {
    this.calls.push('start')
    await Promise.resolve()
    if (this.failStart) throw new Error('boom')
  }

  protected async onStop (): Promise<void> {
    this.calls.push('stop')
    await Promise.resolve()
  }
}

describe('Service', () => {
  it('starts and stops once however often it is asked', async () => {
    const s = new Recorder()
    await Promise.all([s.start(), s.start()])
    await s.start()
    expect(s.status).to.equal('started')
    await Promise.all([s.stop(), s.stop()])
    await s.stop()
    expect(s.status).to.equal('stopped')
    expect(s.calls).to.deep.equal(['start', 'stop'])
  })

  it('a stop during a start waits for it, then stops', async () => {
    const s = new Recorder()
    const started = s.start()
    const stopped = s.stop()
    await Promise.all([started, stopped])
    expect(s.status).to.equal('stopped')
    expect(s.calls).to.deep.equal(['start', 'stop'])
  })

  it('a failed start releases what it took and reports the error', async () => {
    const s = new Recorder()
    s.failStart = true
    const err = await s.start().then(() => undefined, (err: unknown) => err)
    expect((err as Error).message).to.equal('boom')
    expect(s.status).to.equal('stopped')
    expect(s.calls).to.deep.equal(['start', 'stop'])
  })

  it('can start again after a stop', async () => {
    const s = new Recorder()
    await s.start()
    await s.stop()
    await s.start()
    await s.stop()
    expect(s.calls).to.deep.equal(['start', 'stop', 'start', 'stop'])
  })
})
