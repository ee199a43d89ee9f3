/** @jsxImportSource solid-js */
/**
 * The chat room in Solid: one `createReality` node for the messages, a form
 * posting through `store.mutate` with an optimistic message, and the status.
 */
import { For, Show, createSignal } from 'solid-js'
import { createReality, createRealityStatus, useRealityStore } from 'reality/solid'
import { ROOM_KEY, checkMessageText, explainChatError, fetchMessages, postMessage, type ChatMessage } from '../chat/api.js'

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' })

/** Optimistic messages get negative ids so they never collide with the server's. */
let nextPendingId = -1

export function Chat() {
  const store = useRealityStore()
  const room = createReality<ChatMessage[]>(ROOM_KEY, { fetcher: (_key, { signal }) => fetchMessages({ signal }), fallback: [] })
  const status = createRealityStatus()
  const [text, setText] = createSignal('')
  const [invalid, setInvalid] = createSignal<string>()
  const [sendError, setSendError] = createSignal<string>()

  const submit = async (event: SubmitEvent) => {
    event.preventDefault()
    const checked = checkMessageText(text())
    if (!checked.ok) return void setInvalid(checked.reason)
    setInvalid(undefined)
    setSendError(undefined)
    setText('')
    const pending: ChatMessage = { id: nextPendingId--, text: checked.text, at: Date.now() }
    try {
      await store.mutate([ROOM_KEY], () => postMessage(checked.text), { optimistic: { [ROOM_KEY]: (current: ChatMessage[] | undefined) => [...(current ?? []), pending] } })
    } catch (error) {
      // The store rolled the optimistic message back; give the text back too.
      setSendError(explainChatError(error))
      setText((now) => now || checked.text)
    }
  }

  // Each reads only the fields it shows: the list does not re-render on a status change.
  const messages = () => room().data ?? []
  const problem = () => invalid() ?? sendError() ?? (room().error && `Could not load messages: ${explainChatError(room().error)}`)
  return (
    <main class="chat">
      <header class="chat-header">
        <h1>#general · Solid</h1>
        <p class="status" data-status={status()} role="status" aria-live="polite">{status()}</p>
      </header>
      <ol class="messages" aria-label="Messages">
        <For each={messages()}>
          {(message) => (
            <li class={message.id < 0 ? 'message pending' : 'message'} data-id={message.id}>
              <time datetime={new Date(message.at).toISOString()}>{timeFormat.format(message.at)}</time>
              <span class="text">{message.text}</span>
            </li>
          )}
        </For>
      </ol>
      <Show when={!room().isLoading && messages().length === 0}>
        <p class="empty">No messages yet. Say hello!</p>
      </Show>
      <form class="composer" autocomplete="off" onSubmit={submit}>
        <input value={text()} onInput={(event) => setText(event.currentTarget.value)} maxLength={500} placeholder="Write a message…" aria-label="Message" required />
        {/* Never disabled: Enter while a send is pending sends the next message too. */}
        <button type="submit">Send</button>
      </form>
      <Show when={problem()}>
        <p class="error" role="alert">{problem()}</p>
      </Show>
    </main>
  )
}
