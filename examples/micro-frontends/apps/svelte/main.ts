/** Mounts the Svelte frontend; `LIBRARY_LABEL` is set by build.ts (which copy of the library it bundles). */
import { mount, unmount } from 'svelte'
import { mountPoint, registerFrontend } from '../../keys.js'
import Frontend from './Frontend.svelte'

declare const LIBRARY_LABEL: string

const frontend = mount(Frontend, { target: mountPoint('svelte'), props: { libraryLabel: LIBRARY_LABEL } })
registerFrontend('svelte', () => void unmount(frontend))
