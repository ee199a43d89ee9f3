/**
 * The Vue frontend: watches k2 and k3 through `reality/vue` (this
 * repository's library, bundled into this frontend alone). Render functions,
 * so the bundle needs no template compiler.
 */
import { createApp, defineComponent, h } from 'vue'
import { useReality, useRealityStatus } from 'reality/vue'
import { fetchBoardEntry, mountPoint, registerFrontend, type BoardKey } from '../../keys.js'

const Entry = defineComponent({
  props: { name: { type: String as () => BoardKey, required: true } },
  setup(props) {
    const { data, isLoading, error } = useReality(props.name, { fetcher: fetchBoardEntry })
    return () =>
      h('div', { class: 'entry', 'data-key': props.name }, [
        h('dt', props.name),
        h('dd', error.value ? `error: ${error.value.message}` : isLoading.value ? '…' : data.value?.value),
      ])
  },
})

const Frontend = defineComponent({
  setup() {
    const status = useRealityStatus()
    return () => [
      h('header', [h('h2', 'Vue'), h('span', { class: 'status', 'data-status': status.value }, status.value)]),
      h('p', { class: 'library' }, 'reality from this repository'),
      h('dl', [h(Entry, { name: 'k2' }), h(Entry, { name: 'k3' })]),
    ]
  },
})

const app = createApp(Frontend)
app.mount(mountPoint('vue'))
registerFrontend('vue', () => app.unmount())
