#!/usr/bin/env node
// The ticket service: `ticket -n 1 -a :11001`, then `ticket -n 2 -a :11002 -j :11001`, ...
import { main } from '@clusterfunk/machine'
import { ticket } from '../ticket.js'

await main(ticket)
