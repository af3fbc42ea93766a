// The benchmark's application: SET and GET over a Map of binary values (what redis-benchmark -t set,get sends).
import { OK, WrongArgsError, defineMachine, main } from '../src/index.js'

const kv = defineMachine<Map<string, Buffer>>({
  name: 'bench-kv',
  initialData: () => new Map(),
  write: {
    SET: (m, args, bytes) => {
      if (args.length !== 3) throw new WrongArgsError('set')
      m.data.set(args[1] as string, bytes[2] as Buffer)
      return OK
    }
  },
  read: {
    GET: (m, args) => m.data.get(args[1] ?? '') ?? null
  },
  snapshot: (data) => Buffer.from(JSON.stringify([...data].map(([k, v]) => [k, v.toString('base64')]))),
  restore: (bytes) => new Map((JSON.parse(Buffer.from(bytes).toString()) as Array<[string, string]>).map(([k, v]) => [k, Buffer.from(v, 'base64')]))
})

await main(kv)
