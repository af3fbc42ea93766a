import { defineMachine } from '@clusterfunk/machine'

/** The whole state: the last ticket handed out. */
export interface TicketData {
  ticket: number
}

/**
 * TICKET: returns a new ticket at least one greater than any TICKET before
 * it, across the whole cluster, leader failures included. The data is plain,
 * so the built-in JSON snapshots do.
 */
export const ticket = defineMachine<TicketData>({
  name: 'ticket',
  version: '0.1.0',
  initialData: { ticket: 0 },
  write: {
    TICKET: (m) => ++m.data.ticket
  }
})
