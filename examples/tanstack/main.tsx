/**
 * Boots the chat: an ordinary TanStack Query app. The one line marked below
 * is all it takes to make it live.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { connectQueryClient } from 'reality/tanstack'
import '../chat/page/style.css'
import { Chat } from './Chat.js'

// The server says when data changed, so nothing needs to go stale on a timer.
const queryClient = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity } } })
connectQueryClient(queryClient) // ← the one call: ['chat', 'room', 'general'] now refetches when the server invalidates 'chat:room:general'

const root = document.getElementById('root')
if (!root) throw new Error('index.html must contain <div id="root">')
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <Chat />
    </QueryClientProvider>
  </StrictMode>,
)
