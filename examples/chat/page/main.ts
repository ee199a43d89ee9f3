/**
 * The chat page: plain DOM, one Reality node for the room. The store syncs
 * in the background; when another tab posts, the server bumps the room's
 * version, this page hears of it on its held long-poll and refetches.
 */
import { getSharedStore } from 'reality'
import type { NodeState } from 'reality'
import { ROOM_KEY, explainChatError, checkMessageText, fetchMessages, postMessage, type ChatMessage } from '../api.js'
import { renderMessages } from './render.js'

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T

const statusEl = element<HTMLParagraphElement>('status')
const listEl = element<HTMLOListElement>('messages')
const emptyEl = element<HTMLParagraphElement>('empty')
const form = element<HTMLFormElement>('composer')
const input = element<HTMLInputElement>('text')
const errorEl = element<HTMLParagraphElement>('error')

const store = getSharedStore()
const room = store.node<ChatMessage[]>(ROOM_KEY, {
  fetcher: (_key, { signal }) => fetchMessages({ signal }),
  fallback: [],
})

store.status.subscribe((status) => {
  statusEl.textContent = status
  statusEl.dataset.status = status
})

/** Whether the error line shows a load error (cleared by the next good fetch) rather than a send error. */
let showingLoadError = false

room.subscribe((state: NodeState<ChatMessage[]>) => {
  renderMessages(listEl, state.data ?? [])
  emptyEl.hidden = state.isLoading || (state.data ?? []).length > 0
  if (state.error) {
    showError(`Could not load messages: ${explainChatError(state.error)}`)
    showingLoadError = true
  } else if (showingLoadError) {
    showError(undefined)
  }
})

/** Optimistic messages get negative ids so they never collide with the server's. */
let nextPendingId = -1

form.addEventListener('submit', (event) => {
  event.preventDefault()
  const checked = checkMessageText(input.value)
  if (!checked.ok) return showError(checked.reason)
  showError(undefined)
  input.value = ''
  const pending: ChatMessage = { id: nextPendingId--, text: checked.text, at: Date.now() }
  store
    .mutate([room], () => postMessage(checked.text), {
      optimistic: [(current: ChatMessage[] | undefined) => [...(current ?? []), pending]],
    })
    .catch((error: unknown) => {
      // The store has rolled the optimistic message back; give the text back too.
      if (input.value === '') input.value = checked.text
      showError(explainChatError(error))
    })
})

function showError(message: string | undefined): void {
  showingLoadError = false
  errorEl.hidden = message === undefined
  errorEl.textContent = message ?? ''
}
