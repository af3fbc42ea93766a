// Bundles kv-server into one file (dist/kv-server.bundle.mjs) with esbuild: a
/* global URL */
// restarted node then loads one file instead of ~580 modules, which is most of
// its start on a busy host. classic-level stays outside (it loads a native
// binary); everything else, our packages and their dependencies, is inside.
import { build } from 'esbuild'

await build({
  entryPoints: [new URL('../dist/src/bin/kv-server.js', import.meta.url).pathname],
  outfile: new URL('../dist/kv-server.bundle.mjs', import.meta.url).pathname,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['classic-level'],
  // Bundled CommonJS dependencies call require(): give the ES module one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning'
})
