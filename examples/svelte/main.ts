/** Boots the Svelte chat: `reality()` uses the page's shared store (no `setRealityStore` needed). */
import { mount } from 'svelte'
import '../chat/page/style.css'
import Chat from './Chat.svelte'

const target = document.getElementById('app')
if (!target) throw new Error('index.html must contain <div id="app">')
mount(Chat, { target })
