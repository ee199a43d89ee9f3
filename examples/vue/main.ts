/** Boots the Vue chat; `RealityPlugin` provides the page's shared store to every component. */
import { createApp } from 'vue'
import { getSharedStore } from 'reality'
import { RealityPlugin } from 'reality/vue'
import '../chat/page/style.css'
import Chat from './Chat.vue'

createApp(Chat).use(RealityPlugin, { store: getSharedStore() }).mount('#app')
