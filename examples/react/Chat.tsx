/**
 * The chat room in React: one `useReality` node for the messages, a form
 * posting through `useMutation` with an optimistic message, and the status.
 */
import { useState, type FormEvent } from 'react'
import { useMutation, useReality, useRealityStatus } from 'reality/react'
import { ROOM_KEY, checkMessageText, explainChatError, fetchMessages, postMessage, type ChatMessage } from '../chat/api.js'

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' })

/** Optimistic messages get negative ids so they never collide with the server's. */
let nextPendingId = -1

export function Chat() {
  const room = useReality<ChatMessage[]>(ROOM_KEY, { fetcher: (_key, { signal }) => fetchMessages({ signal }), fallback: [] })
  const status = useRealityStatus()
  const send = useMutation([ROOM_KEY], (text: string) => postMessage(text), (text: string) => {
    const pending: ChatMessage = { id: nextPendingId--, text, at: Date.now() }
    return { optimistic: { [ROOM_KEY]: (current: ChatMessage[] | undefined) => [...(current ?? []), pending] } }
  })
  const [text, setText] = useState('')
  const [invalid, setInvalid] = useState<string>()

  const submit = (event: FormEvent) => {
    event.preventDefault()
    const checked = checkMessageText(text)
    if (!checked.ok) return setInvalid(checked.reason)
    setInvalid(undefined)
    setText('')
    // The store rolls the optimistic message back on failure; give the text back too.
    send.mutate(checked.text).catch(() => setText((now) => now || checked.text))
  }

  const messages = room.data ?? []
  const problem = invalid ?? (send.error && explainChatError(send.error)) ?? (room.error && `Could not load messages: ${explainChatError(room.error)}`)
  return (
    <main className="chat">
      <header className="chat-header">
        <h1>#general · React</h1>
        <p className="status" data-status={status} role="status" aria-live="polite">{status}</p>
      </header>
      <ol className="messages" aria-label="Messages">
        {messages.map((message) => (
          <li key={message.id} className={message.id < 0 ? 'message pending' : 'message'} data-id={message.id}>
            <time dateTime={new Date(message.at).toISOString()}>{timeFormat.format(message.at)}</time>
            <span className="text">{message.text}</span>
          </li>
        ))}
      </ol>
      {!room.isLoading && messages.length === 0 && <p className="empty">No messages yet. Say hello!</p>}
      <form className="composer" autoComplete="off" onSubmit={submit}>
        <input value={text} onChange={(event) => setText(event.target.value)} maxLength={500} placeholder="Write a message…" aria-label="Message" required />
        {/* Never disabled: Enter while a send is pending sends the next message too. */}
        <button type="submit">Send</button>
      </form>
      {problem && <p className="error" role="alert">{problem}</p>}
    </main>
  )
}
