/**
 * The host page: three mount points, a button per frontend to unmount it,
 * and one `<script>` tag per frontend bundle — classic, `defer` or
 * `type="module"` (`/?scripts=classic|defer|module`, default module), the
 * three ways a host loads micro-frontends.
 */

/**
 * How the host page's `<script>` tags load the bundles.
 *
 * @example
 * hostPage('defer') // <script defer src="/apps/react.js"></script>…
 */
export type ScriptLoading = 'classic' | 'defer' | 'module'

/**
 * The `scripts` query parameter, checked.
 *
 * @example
 * parseScriptLoading('defer') // 'defer'
 * parseScriptLoading(null)    // 'module'
 */
export function parseScriptLoading(value: string | null): ScriptLoading | undefined {
  if (value === null || value === '') return 'module'
  return value === 'classic' || value === 'defer' || value === 'module' ? value : undefined
}

const tags: Record<ScriptLoading, (src: string) => string> = {
  classic: (src) => `<script src="${src}"></script>`,
  defer: (src) => `<script defer src="${src}"></script>`,
  module: (src) => `<script type="module" src="${src}"></script>`,
}

/**
 * The host page's HTML. Classic tags sit at the end of the body (they run
 * as they are parsed, so the mount points must exist); `defer` and module
 * tags sit in the head and run after parsing, in order.
 *
 * @example
 * response.end(hostPage('classic'))
 */
export function hostPage(loading: ScriptLoading, frontends: readonly string[]): string {
  const scripts = frontends.map((name) => tags[loading](`/apps/${name}.js`)).join('\n    ')
  const sections = frontends
    .map(
      (name) => `<article class="frontend" data-frontend="${name}">
        <section id="${name}-app"></section>
        <button type="button" class="unmount" data-unmount="${name}">Unmount</button>
      </article>`,
    )
    .join('\n      ')
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Reality micro-frontends</title>
    <link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Ccircle cx='8' cy='8' r='6' fill='%2316a34a'/%3E%3C/svg%3E" />
    <link rel="stylesheet" href="/host.css" />
    ${loading === 'classic' ? '' : scripts}
  </head>
  <body>
    <main>
      <h1>Three micro-frontends, one store</h1>
      <p class="hint">Each frontend is its own bundle with its own copy of Reality (Svelte's is an older one). They share one store: one sync request, one fetch per change. Edit a key below and watch every frontend that shows it.</p>
      <form class="writer" id="writer">
        <select id="writer-key" aria-label="Key"><option>k1</option><option>k2</option><option>k3</option></select>
        <input id="writer-value" aria-label="New value" placeholder="New value" maxlength="100" required />
        <button type="submit">Write</button>
      </form>
      <div class="frontends">
      ${sections}
      </div>
    </main>
    <script src="/host.js"></script>
    ${loading === 'classic' ? scripts : ''}
  </body>
</html>
`
}

/**
 * The host's own script: unmount buttons and the writer form (a plain POST;
 * the server invalidates the key and every frontend showing it refetches).
 *
 * @example
 * files.set('/host.js', HOST_SCRIPT)
 */
export const HOST_SCRIPT = `
document.addEventListener('click', (event) => {
  const name = event.target instanceof HTMLElement ? event.target.dataset.unmount : undefined
  if (!name) return
  window.microFrontends?.[name]?.unmount()
  event.target.disabled = true
  event.target.textContent = 'Unmounted'
})
document.getElementById('writer').addEventListener('submit', async (event) => {
  event.preventDefault()
  const key = document.getElementById('writer-key').value
  const input = document.getElementById('writer-value')
  await fetch('/api/keys/' + key, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ value: input.value }) })
  input.value = ''
})
`

/**
 * The host page's styles.
 *
 * @example
 * files.set('/host.css', HOST_CSS)
 */
export const HOST_CSS = `
body { font: 15px/1.4 system-ui, sans-serif; margin: 0; background: #f5f6f8; color: #1d1d1f; }
main { max-width: 980px; margin: 24px auto; padding: 0 16px; }
h1 { font-size: 20px; margin: 0 0 6px; }
.hint { color: #555; margin: 0 0 14px; }
.writer { display: flex; gap: 8px; margin-bottom: 16px; }
.writer input { flex: 1; padding: 6px 10px; border: 1px solid #ccc; border-radius: 6px; }
.writer select, .writer button, .unmount { padding: 6px 12px; border-radius: 6px; border: 1px solid #ccc; background: #fff; }
.writer button { background: #2563eb; border-color: #2563eb; color: #fff; }
.frontends { display: grid; grid-template-columns: repeat(3, 1fr); gap: 12px; }
.frontend { background: #fff; border: 1px solid #e3e5e8; border-radius: 10px; padding: 12px 14px; display: flex; flex-direction: column; gap: 8px; }
.frontend header { display: flex; justify-content: space-between; align-items: center; }
.frontend h2 { font-size: 16px; margin: 0; }
.frontend .library { font-size: 12px; color: #666; margin: 0; }
.frontend dl { margin: 0; }
.frontend .entry { display: flex; gap: 10px; padding: 4px 0; border-top: 1px solid #f0f0f0; }
.frontend dt { font-weight: 600; width: 28px; }
.frontend dd { margin: 0; }
.status { font-size: 12px; padding: 1px 8px; border-radius: 999px; border: 1px solid #ddd; }
.status[data-status="live"] { color: #15803d; border-color: #bbf7d0; background: #f0fdf4; }
.unmount { align-self: flex-start; font-size: 12px; }
`
