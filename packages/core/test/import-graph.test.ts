import { expect } from 'chai'
import { importGraph } from '../src/testing.js'

describe('importGraph', () => {
  it('follows relative imports of the main entry and records the packages it names', () => {
    const graph = importGraph(new URL('../src/index.js', import.meta.url))
    const names = [...graph.files].map(f => f.slice(f.lastIndexOf('/') + 1))
    expect(names).to.include.members(['index.js', 'clock.js', 'counters.js', 'host-port.js'])
    expect(graph.external.has('pino')).to.equal(true)
  })

  it('shows the main entry never loads the test aids', () => {
    const graph = importGraph(new URL('../src/index.js', import.meta.url))
    const names = [...graph.files].map(f => f.slice(f.lastIndexOf('/') + 1))
    expect(names).not.to.include('ports.js')
    expect(names).not.to.include('testing.js')
    expect(names).not.to.include('import-graph.js')
  })
})
