/**
 * The chat room written the usual TanStack Query way: `useQuery` for the
 * messages, `useMutation` to post (the pending message is shown from the
 * mutation's variables) and an invalidation when it settles. Nothing in here
 * knows about Reality except the status badge.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { useRealityStatus } from 'reality/react'
import { checkMessageText, fetchMessages, postMessage } from '../chat/api.js'

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' })
/** Maps to the Reality key 'chat:room:general' (parts joined with ':'). */
const roomQueryKey = ['chat', 'room', 'general']

export function Chat() {
  const queryClient = useQueryClient()
  const room = useQuery({ queryKey: roomQueryKey, queryFn: ({ signal }) => fetchMessages({ signal }) })
  const send = useMutation({
    mutationFn: (text: string) => postMessage(text),
    onSettled: () => queryClient.invalidateQueries({ queryKey: roomQueryKey }),
  })
  const status = useRealityStatus()
  const [text, setText] = useState('')
  const [invalid, setInvalid] = useState<string>()

  const submit = (event: FormEvent) => {
    event.preventDefault()
    const checked = checkMessageText(text)
    if (!checked.ok) return setInvalid(checked.reason)
    setInvalid(undefined)
    setText('')
    // On failure, give the text back.
    send.mutate(checked.text, { onError: () => setText((now) => now || checked.text) })
  }

  const messages = room.data ?? []
  const problem = invalid ?? send.error?.message ?? (room.error && `Could not load messages: ${room.error.message}`)
  return (
    <main className="chat">
      <header className="chat-header">
        <h1>#general · TanStack Query</h1>
        <p className="status" data-status={status} role="status" aria-live="polite">{status}</p>
      </header>
      <ol className="messages" aria-label="Messages">
        {messages.map((message) => (
          <li key={message.id} className="message" data-id={message.id}>
            <time dateTime={new Date(message.at).toISOString()}>{timeFormat.format(message.at)}</time>
            <span className="text">{message.text}</span>
          </li>
        ))}
        {send.isPending && (
          <li className="message pending">
            <span className="text">{send.variables}</span>
          </li>
        )}
      </ol>
      {!room.isPending && messages.length === 0 && !send.isPending && <p className="empty">No messages yet. Say hello!</p>}
      <form className="composer" autoComplete="off" onSubmit={submit}>
        <input value={text} onChange={(event) => setText(event.target.value)} maxLength={500} placeholder="Write a message…" aria-label="Message" required />
        <button type="submit" disabled={send.isPending}>Send</button>
      </form>
      {problem && <p className="error" role="alert">{problem}</p>}
    </main>
  )
}
