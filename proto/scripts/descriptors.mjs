// Writes src/descriptors.ts from the .proto files (run after editing one: npm run descriptors -w @clusterfunk/proto).
/* global URL */
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, descriptorsSource } from '../dist/src/generate.js'

const dir = fileURLToPath(new URL('..', import.meta.url))
writeFileSync(new URL('../src/descriptors.ts', import.meta.url), descriptorsSource(describe(dir)))
