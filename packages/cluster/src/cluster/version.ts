import { packageRoot } from '../package-root.js'

/** This package's version (from its package.json, read once): what a node reports as its software version. */
export function clusterVersion (): string {
  return packageRoot().version
}
