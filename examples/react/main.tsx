/** Boots the React chat: the hooks use the page's shared store (no provider needed). */
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import '../chat/page/style.css'
import { Chat } from './Chat.js'

const root = document.getElementById('root')
if (!root) throw new Error('index.html must contain <div id="root">')
createRoot(root).render(
  <StrictMode>
    <Chat />
  </StrictMode>,
)
