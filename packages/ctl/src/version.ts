import { readFileSync } from 'node:fs'

/** funkctl's version: the `version` of the installed @clusterfunk/ctl package. */
export function ctlVersion (): string {
  // dist/src/version.js → the package's own package.json, in the repository and when installed.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown }
  return typeof pkg.version === 'string' ? pkg.version : 'unknown'
}
