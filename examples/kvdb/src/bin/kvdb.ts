#!/usr/bin/env node
// The kvdb service: `kvdb -n 1 -a :11001`, then `kvdb -n 2 -a :11002 -j :11001`, ...
import { main } from '@clusterfunk/machine'
import { kvdb } from '../kvdb.js'

await main(kvdb)
