/**
 * `reality/signals`: node handles and `store.status` as `@preact/signals-core`
 * signals, for apps built on Preact Signals (opt-in: the core store has a
 * reactive cell of its own and does not load signals-core).
 *
 * The signal belongs to the signals-core copy that imports this entry, so
 * every bundle of a micro-frontend page can make signals its own effects
 * track from the page's one shared store.
 *
 * @example
 * import { effect } from '@preact/signals-core'
 * import { toSignal } from 'reality/signals'
 * const room = toSignal(store.node('chat:room:general', { fetcher }))
 * effect(() => render(room.value.data)) // watches the node like a subscriber
 *
 * @packageDocumentation
 */
import { Signal, type ReadonlySignal } from '@preact/signals-core'
import type { ReadableAtom } from '../store/types.js'

/**
 * A signal that mirrors an atom while something watches it (an `effect`, a
 * watched `computed`, a component): its first watcher subscribes to the
 * atom (a node handle starts syncing its key), its last one unsubscribes.
 * A read while nothing watches it reads the atom afresh.
 */
class AtomSignal<T> extends Signal<T> {
  /** signals-core calls these with the signal as `this`: shared by every instance. */
  static readonly #hooks = {
    watched(this: Signal) {
      ;(this as AtomSignal<unknown>).#follow()
    },
    unwatched(this: Signal) {
      ;(this as AtomSignal<unknown>).#unfollow()
    },
  }
  readonly #atom: ReadableAtom<T>
  #stop: (() => void) | undefined

  constructor(atom: ReadableAtom<T>) {
    super(atom.get(), AtomSignal.#hooks)
    this.#atom = atom
  }

  override get value(): T {
    if (!this.#stop) super.value = this.#atom.get()
    return super.value
  }

  #follow() {
    this.#stop = this.#atom.subscribe((value) => {
      super.value = value
    })
  }

  #unfollow() {
    const stop = this.#stop
    this.#stop = undefined
    if (stop) stop()
  }
}

/**
 * Turns a node handle, `store.status` or any nanostores-shaped readable atom
 * into a read-only `@preact/signals-core` signal.
 *
 * @example
 * const user = toSignal(store.node('user:42', { fetcher }))
 * const name = computed(() => user.value.data?.name ?? '…')
 * const status = toSignal(store.status) // 'idle' | 'connecting' | 'live' | …
 */
export function toSignal<T>(atom: ReadableAtom<T>): ReadonlySignal<T> {
  return new AtomSignal(atom)
}
