export { ticket, type TicketData } from './ticket.js'
