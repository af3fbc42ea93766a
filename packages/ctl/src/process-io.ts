import type { CtlIo } from './io.js'

/**
 * The io of the real process: stdout/stderr, `process.env`, and a signal
 * that fires on the first SIGINT/SIGTERM (a second one exits at once with
 * 130). A broken stdout pipe (`funkctl watch | head`) also fires it.
 * `dispose()` removes the handlers. Node's deprecation warnings are turned
 * off: grpc-js triggers DEP0123 (TLS server name set to an IP) for every
 * `--tls-ca` call to an IP endpoint, which an operator can do nothing about.
 */
export function processIo (): { io: CtlIo, dispose: () => void } {
  process.noDeprecation = true
  const controller = new AbortController()
  const onSignal = (): void => {
    if (controller.signal.aborted) process.exit(130)
    controller.abort()
  }
  const onPipeError = (): void => { controller.abort() }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  process.stdout.on('error', onPipeError)
  return {
    io: {
      stdout: (text) => { process.stdout.write(text) },
      stderr: (text) => { process.stderr.write(text) },
      env: process.env,
      signal: controller.signal
    },
    dispose: () => {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      process.stdout.off('error', onPipeError)
    }
  }
}
