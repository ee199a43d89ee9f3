/** @jsxImportSource solid-js */
/** Boots the Solid chat: `createReality` uses the page's shared store (no provider needed). */
import { render } from 'solid-js/web'
import '../chat/page/style.css'
import { Chat } from './Chat.js'

const root = document.getElementById('root')
if (!root) throw new Error('index.html must contain <div id="root">')
render(() => <Chat />, root)
