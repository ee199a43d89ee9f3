/**
 * The React frontend: watches k1 and k2 through `reality/react` (this
 * repository's library, bundled into this frontend alone).
 */
import { createRoot } from 'react-dom/client'
import { useReality, useRealityStatus } from 'reality/react'
import { fetchBoardEntry, mountPoint, registerFrontend, type BoardKey } from '../../keys.js'

function Entry({ name }: { name: BoardKey }) {
  const { data, isLoading, error } = useReality(name, { fetcher: fetchBoardEntry })
  return (
    <div className="entry" data-key={name}>
      <dt>{name}</dt>
      <dd>{error ? `error: ${error.message}` : isLoading ? '…' : data?.value}</dd>
    </div>
  )
}

function Frontend() {
  const status = useRealityStatus()
  return (
    <>
      <header>
        <h2>React</h2>
        <span className="status" data-status={status}>{status}</span>
      </header>
      <p className="library">reality from this repository</p>
      <dl>
        <Entry name="k1" />
        <Entry name="k2" />
      </dl>
    </>
  )
}

const root = createRoot(mountPoint('react'))
root.render(<Frontend />)
registerFrontend('react', () => root.unmount())
