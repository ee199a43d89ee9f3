/** Boots the Vue chat; `RealityPlugin` provides the page's shared store to every component. */
import { createApp } from 'vue'
import { getSharedStore } from '../../store/index.js'
import { RealityPlugin } from '../../bindings/vue/index.js'
import '../chat/page/style.css'
import Chat from './Chat.vue'

createApp(Chat).use(RealityPlugin, { store: getSharedStore() }).mount('#app')
