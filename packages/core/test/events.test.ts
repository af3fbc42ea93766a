import { expect } from 'chai'
import { AbortError, EventOverflowError, TypedEventEmitter, eventIterator } from '../src/index.js'

interface Events extends Record<string, unknown> {
  'node:dead': { id: string }
  'node:alive': { id: string }
}

describe('TypedEventEmitter', () => {
  it('delivers payloads to listeners of the type and counts them', () => {
    const e = new TypedEventEmitter<Events>()
    const seen: string[] = []
    const listener = (ev: CustomEvent<{ id: string }>): void => { seen.push(ev.detail.id) }
    e.addEventListener('node:dead', listener)
    expect(e.listenerCount('node:dead')).to.equal(1)
    e.emit('node:dead', { id: 'a' })
    e.emit('node:alive', { id: 'b' })
    e.removeEventListener('node:dead', listener)
    e.emit('node:dead', { id: 'c' })
    expect(seen).to.deep.equal(['a'])
    expect(e.listenerCount('node:dead')).to.equal(0)
  })

  it('removes a once listener after its first event', () => {
    const e = new TypedEventEmitter<Events>()
    let calls = 0
    e.addEventListener('node:dead', () => { calls++ }, { once: true })
    e.emit('node:dead', { id: 'a' })
    e.emit('node:dead', { id: 'b' })
    expect(calls).to.equal(1)
    expect(e.listenerCount('node:dead')).to.equal(0)
  })
})

describe('eventIterator', () => {
  it('buffers events emitted before the reader asks, in order', async () => {
    const e = new TypedEventEmitter<Events>()
    const it = eventIterator(e, ['node:dead', 'node:alive'])
    e.emit('node:dead', { id: 'a' })
    e.emit('node:alive', { id: 'a' })
    const first = await it.next()
    const second = await it.next()
    expect(first.value).to.deep.equal({ type: 'node:dead', detail: { id: 'a' } })
    expect(second.value).to.deep.equal({ type: 'node:alive', detail: { id: 'a' } })
    await it.return?.()
    expect(e.listenerCount('node:dead')).to.equal(0)
  })

  it('wakes a waiting reader', async () => {
    const e = new TypedEventEmitter<Events>()
    const it = eventIterator(e, 'node:dead')
    const pending = it.next()
    e.emit('node:dead', { id: 'x' })
    expect((await pending).value?.detail.id).to.equal('x')
    await it.return?.()
  })

  it('rejects a waiting reader with AbortError and unsubscribes when the signal fires', async () => {
    const e = new TypedEventEmitter<Events>()
    const controller = new AbortController()
    const it = eventIterator(e, 'node:dead', { signal: controller.signal })
    const pending = it.next()
    controller.abort()
    const err = await pending.then(() => undefined, (err: unknown) => err)
    expect(err).to.be.instanceOf(AbortError)
    expect(e.listenerCount('node:dead')).to.equal(0)
  })

  it('reports overflow instead of dropping events silently', async () => {
    const e = new TypedEventEmitter<Events>()
    const it = eventIterator(e, 'node:dead', { maxBuffered: 2 })
    for (const id of ['a', 'b', 'c']) e.emit('node:dead', { id })
    expect((await it.next()).value?.detail.id).to.equal('a')
    expect((await it.next()).value?.detail.id).to.equal('b')
    const err = await it.next().then(() => undefined, (err: unknown) => err)
    expect(err).to.be.instanceOf(EventOverflowError)
  })

  it('ends a for-await loop cleanly on break', async () => {
    const e = new TypedEventEmitter<Events>()
    const it = eventIterator(e, 'node:dead')
    e.emit('node:dead', { id: 'a' })
    for await (const ev of it) {
      expect(ev.detail.id).to.equal('a')
      break
    }
    expect(e.listenerCount('node:dead')).to.equal(0)
  })
})
