import { defineMachine } from '../../src/index.js'

/** uhaha's TICKET, plus a read and a deterministic draw, for the node tests. */
export const ticketMachine = defineMachine<{ ticket: number, draws: number[] }, { user?: string }>({
  name: 'ticket-test',
  version: '1.2.3',
  initialData: { ticket: 0, draws: [] },
  write: {
    TICKET: (m) => ++m.data.ticket,
    DRAW: (m) => { const v = m.rand.uint32(); m.data.draws.push(v, m.now()); return v }
  },
  read: {
    CURRENT: (m) => m.data.ticket,
    DRAWS: (m) => m.data.draws
  },
  intermediate: {
    WHOAMI: (m) => m.context?.user ?? null,
    LOGIN: (m, args) => { m.setContext({ user: args[1] ?? '' }); return 'OK' }
  }
})
