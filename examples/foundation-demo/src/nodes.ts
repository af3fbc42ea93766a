import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const RESPONDER = fileURLToPath(new URL('./responder.js', import.meta.url))

/** A demo node: a responder process on 127.0.0.1. */
export interface DemoNode {
  id: string
  port: number
  child: ChildProcess
}

/** Starts a responder process for `id` and resolves with its port once it listens. */
export async function startNode (id: string, port = 0): Promise<DemoNode> {
  const child = spawn(process.execPath, [RESPONDER, '--id', id, '--port', String(port)], { stdio: ['ignore', 'pipe', 'inherit'] })
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  const signal = AbortSignal.timeout(15_000)
  try {
    const [line] = await Promise.race([
      once(lines, 'line', { signal }),
      once(child, 'exit', { signal }).then(([code]) => { throw new Error(`node ${id} exited with ${String(code)} before listening`) })
    ]) as [string]
    return { id, port: (JSON.parse(line) as { port: number }).port, child }
  } catch (err) {
    child.kill('SIGKILL')
    throw err
  } finally {
    lines.close()
  }
}

/** Sends `signal` to a node's process and resolves once it has exited. */
export async function stopNode (node: DemoNode, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (node.child.exitCode !== null || node.child.signalCode !== null) return
  const exited = once(node.child, 'exit')
  node.child.kill(signal)
  await exited
}
