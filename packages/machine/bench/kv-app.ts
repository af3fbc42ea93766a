// The benchmark's application: SET and GET over a Map (what redis-benchmark -t set,get sends).
import { OK, WrongArgsError, defineMachine, main } from '../src/index.js'

const kv = defineMachine<Map<string, string>>({
  name: 'bench-kv',
  initialData: () => new Map(),
  write: {
    SET: (m, args) => {
      if (args.length !== 3) throw new WrongArgsError('set')
      m.data.set(args[1] as string, args[2] as string)
      return OK
    }
  },
  read: {
    GET: (m, args) => m.data.get(args[1] ?? '') ?? null
  },
  snapshot: (data) => Buffer.from(JSON.stringify([...data])),
  restore: (bytes) => new Map(JSON.parse(Buffer.from(bytes).toString()) as Array<[string, string]>)
})

await main(kv)
