/**
 * The browser half of the SSR example: adopts the server's snapshot into the
 * page's shared store before React hydrates, so the first render matches
 * the server's HTML and the headline is not fetched again; then the store
 * goes live and follows changes.
 */
import { hydrateRoot } from 'react-dom/client'
import { getSharedStore } from 'reality'
import { hydrate } from 'reality/ssr'
import { App } from './App.js'
import { SNAPSHOT_ELEMENT_ID } from './headline.js'
import './style.css'

const snapshotElement = document.getElementById(SNAPSHOT_ELEMENT_ID)
if (snapshotElement?.textContent) hydrate(getSharedStore(), JSON.parse(snapshotElement.textContent))

const root = document.getElementById('root')
if (!root) throw new Error('index.html must contain <div id="root">')
hydrateRoot(root, <App />)
