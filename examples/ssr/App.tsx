/**
 * The SSR example's page: the headline (rendered on the server with its
 * data, then live in the browser) and a form to rewrite it.
 */
import { useState, type FormEvent } from 'react'
import { useReality, useRealityStatus } from 'reality/react'
import { HEADLINE_KEY, fetchHeadline } from './headline.js'

export function App() {
  const { data: headline, isLoading, error } = useReality(HEADLINE_KEY, { fetcher: fetchHeadline })
  const status = useRealityStatus()
  const [draft, setDraft] = useState('')

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const text = draft.trim()
    if (text === '') return
    setDraft('')
    await fetch('/api/headline', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) })
  }

  return (
    <main className="ssr">
      <header>
        <span className="label">Server-rendered, then live</span>
        <span className="status" data-status={status}>{status}</span>
      </header>
      <h1 className="headline">{error ? `Could not load the headline: ${error.message}` : isLoading ? 'Loading…' : headline?.text}</h1>
      <p className="writes">{headline ? `rewritten ${headline.writes} times` : ''}</p>
      <form onSubmit={submit}>
        <input value={draft} onChange={(event) => setDraft(event.target.value)} aria-label="New headline" placeholder="Write a new headline…" maxLength={120} />
        <button type="submit">Publish</button>
      </form>
    </main>
  )
}
