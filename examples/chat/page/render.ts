/**
 * Draws the message list. User text only ever goes through `textContent`,
 * never `innerHTML`, so a message cannot inject markup.
 */
import type { ChatMessage } from '../messages.js'

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' })

/**
 * Replaces the list's items with `messages`, keeping the view pinned to the
 * newest message when the reader was already at the bottom.
 *
 * @example
 * renderMessages(document.querySelector('ol')!, [{ id: 1, text: '<b>hi</b>', at: Date.now() }])
 */
export function renderMessages(list: HTMLOListElement, messages: readonly ChatMessage[]): void {
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40
  list.replaceChildren(...messages.map(renderMessage))
  if (atBottom) list.scrollTop = list.scrollHeight
}

function renderMessage(message: ChatMessage): HTMLLIElement {
  const item = document.createElement('li')
  item.className = message.id < 0 ? 'message pending' : 'message'
  item.dataset.id = String(message.id)
  const time = document.createElement('time')
  time.dateTime = new Date(message.at).toISOString()
  time.textContent = timeFormat.format(message.at)
  const text = document.createElement('span')
  text.className = 'text'
  text.textContent = message.text
  item.append(time, text)
  return item
}
