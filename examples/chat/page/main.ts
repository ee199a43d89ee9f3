/**
 * The chat page: plain DOM, one Reality node for the room. The store syncs
 * in the background; when another tab posts, the server bumps the room's
 * version, this page hears of it on its held long-poll (or its open stream
 * with `?live=stream`) and refetches.
 * The tabs of the chat share ONE held long-poll and one fetch per change
 * (reality/tabs): browsers give an origin only 6 HTTP/1.1 connections, and a
 * held request per tab would starve the 7th tab's page load.
 * Sends go through an offline queue (reality/offline): sent while offline,
 * they show at once, survive a reload and are posted, in order and once
 * each, when the connection is back.
 */
import { getSharedStore } from 'reality'
import type { NodeState, StoreOptions } from 'reality'
import { defineMutation, offlineQueue } from 'reality/offline'
import { streamTransport } from 'reality/stream'
import { shareTabs } from 'reality/tabs'
import { ROOM_KEY, explainChatError, checkMessageText, fetchMessages, postMessage, type ChatMessage } from '../api.js'
import { renderMessages } from './render.js'

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T

const statusEl = element<HTMLParagraphElement>('status')
const listEl = element<HTMLOListElement>('messages')
const emptyEl = element<HTMLParagraphElement>('empty')
const form = element<HTMLFormElement>('composer')
const input = element<HTMLInputElement>('text')
const errorEl = element<HTMLParagraphElement>('error')

/** `?live=stream` (or `interval`, `events`) picks how the store hears of changes; long-poll otherwise. */
function liveFromQuery(): StoreOptions['live'] | 'stream' {
  const asked = new URLSearchParams(location.search).get('live')
  return asked === 'stream' || asked === 'interval' || asked === 'events' ? asked : 'long-poll'
}

/** Tab sharing multiplexes sync requests (long-poll); a streaming tab keeps its own stream (reality/stream). */
function storeOptions(live: StoreOptions['live'] | 'stream'): StoreOptions {
  if (live === 'stream') return { transport: streamTransport() }
  if (live === 'long-poll') return shareTabs()
  return { live }
}

const store = getSharedStore(storeOptions(liveFromQuery()))
const room = store.node<ChatMessage[]>(ROOM_KEY, {
  fetcher: (_key, { signal }) => fetchMessages({ signal }),
  fallback: [],
})

/** Optimistic messages get negative ids so they never collide with the server's. */
let nextPendingId = -1

const sendMessage = defineMutation('chat.send', {
  keys: [ROOM_KEY],
  run: ({ text }: { text: string }, { idempotencyKey }) => postMessage(text, { idempotencyKey }),
  optimistic: ({ text }) => {
    const pending: ChatMessage = { id: nextPendingId--, text, at: Date.now() }
    return { [ROOM_KEY]: (current: ChatMessage[] | undefined) => [...(current ?? []), pending] }
  },
})
const sends = offlineQueue(store, [sendMessage], {
  onRejected: (error) => showError(error.message),
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

form.addEventListener('submit', (event) => {
  event.preventDefault()
  const checked = checkMessageText(input.value)
  if (!checked.ok) return showError(checked.reason)
  showError(undefined)
  input.value = ''
  sends.mutate(sendMessage, { text: checked.text }).catch((error: unknown) => {
    // The server refused it (a 4xx) and its optimistic message is gone; give the text back too.
    if (input.value === '') input.value = checked.text
    showError(explainChatError(error))
  })
})

function showError(message: string | undefined): void {
  showingLoadError = false
  errorEl.hidden = message === undefined
  errorEl.textContent = message ?? ''
}
