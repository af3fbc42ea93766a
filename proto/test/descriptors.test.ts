import { expect } from 'chai'
import { fileURLToPath } from 'node:url'
import { DESCRIPTORS } from '../src/descriptors.js'
import { describe as describeProtos } from '../src/generate.js'
import { PROTO_FILES, loadType, protoDir } from '../src/index.js'

describe('proto descriptors', () => {
  it('match the .proto files they are generated from (after editing one: npm run descriptors -w @clusterfunk/proto)', () => {
    expect(JSON.parse(JSON.stringify(describeProtos(protoDir)))).to.deep.equal(DESCRIPTORS)
    expect(Object.keys(DESCRIPTORS).sort()).to.deep.equal([...PROTO_FILES].sort())
  })

  it('protoDir is the folder that holds the .proto files', () => {
    expect(protoDir).to.equal(fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, ''))
  })

  it('a type loaded from a descriptor encodes what the .proto file says: field numbers and camelCase names', () => {
    const ShardMap = loadType('sharding.proto', 'clusterfunk.sharding.ShardMap')
    expect(Object.keys(ShardMap.fields).length).to.be.above(0)
    for (const field of Object.values(ShardMap.fields)) expect(field.name).to.not.include('_')
  })
})
