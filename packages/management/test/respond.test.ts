import { expect } from 'chai'
import { status as Code, type StatusObject } from '@grpc/grpc-js'
import { InvalidArgumentError, MemoryMetrics, silentLogger, waitFor } from '@clusterfunk/core'
import { Responder } from '../src/respond.js'
import type { Wire } from '../src/proto.js'

describe('Responder', () => {
  const setup = (): { responder: Responder, metrics: MemoryMetrics } => {
    const metrics = new MemoryMetrics()
    const responder = new Responder({
      requests: metrics.counter({ name: 'requests', help: 'h', labelNames: ['method', 'code'] }),
      faults: metrics.counter({ name: 'faults', help: 'h', labelNames: ['method'] }),
      logger: silentLogger()
    })
    return { responder, metrics }
  }

  it('answers a reply once and counts it OK', async () => {
    const { responder, metrics } = setup()
    const answers: Array<[Partial<StatusObject> | null, Wire | undefined]> = []
    responder.unary('GetStatus', (err, reply) => { answers.push([err, reply ?? undefined]) }, async () => ({ nodeId: 'a' }))
    await waitFor(() => answers.length === 1, { timeoutMs: 1_000 })
    expect(answers).to.deep.equal([[null, { nodeId: 'a' }]])
    expect(metrics.get('requests', { method: 'GetStatus', code: 'OK' })).to.equal(1)
  })

  it('answers a typed error with its status', async () => {
    const { responder, metrics } = setup()
    const answers: Array<Partial<StatusObject> | null> = []
    responder.unary('AddNode', err => { answers.push(err) }, async () => { throw new InvalidArgumentError('no') })
    await waitFor(() => answers.length === 1, { timeoutMs: 1_000 })
    expect(answers[0]?.code).to.equal(Code.INVALID_ARGUMENT)
    expect(metrics.get('requests', { method: 'AddNode', code: String(Code.INVALID_ARGUMENT) })).to.equal(1)
  })

  it('when grpc-js throws while answering (as on an illegal metadata value), the call gets INTERNAL and the fault is counted; nothing escapes', async () => {
    const { responder, metrics } = setup()
    const answers: Array<Partial<StatusObject> | null> = []
    let calls = 0
    responder.unary('RemoveNode', err => {
      calls++
      if (calls === 1) throw new TypeError('Metadata string value "nö" contains illegal characters')
      answers.push(err)
    }, async () => { throw new InvalidArgumentError('first answer fails') })
    await waitFor(() => answers.length === 1, { timeoutMs: 1_000 })
    expect(answers[0]).to.deep.include({ code: Code.INTERNAL, details: 'internal error' })
    expect(metrics.get('faults', { method: 'RemoveNode' })).to.equal(1)
  })

  it('a callback that throws every time is given up on, counted, and still nothing escapes', async () => {
    const { responder, metrics } = setup()
    responder.unary('StepDown', () => { throw new Error('always') }, async () => ({}))
    await waitFor(() => metrics.get('faults', { method: 'StepDown' }) === 1, { timeoutMs: 1_000 })
    expect(metrics.get('requests', { method: 'StepDown', code: 'OK' })).to.equal(1)
  })
})
