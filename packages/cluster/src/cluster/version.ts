import { readFileSync } from 'node:fs'

let cached: string | undefined

/** This package's version (from its package.json, read once): what a node reports as its software version. */
export function clusterVersion (): string {
  if (cached !== undefined) return cached
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown }
    cached = typeof pkg.version === 'string' ? pkg.version : ''
  } catch {
    cached = ''
  }
  return cached
}
