/**
 * The panel's styles, inside its shadow root: nothing leaks in or out.
 *
 * @example
 * style.textContent = PANEL_STYLE
 */
export const PANEL_STYLE = `
:host{display:block;font:12px/1.35 ui-monospace,Menlo,Consolas,monospace;color:#e5e7eb;background:#111827;border:1px solid #374151;border-radius:8px;padding:8px;overflow:auto;max-height:60vh}
:host([data-floating]){position:fixed;right:12px;bottom:12px;width:min(640px,calc(100vw - 24px));z-index:2147483647;box-shadow:0 6px 24px #0006}
header{display:flex;gap:8px;align-items:center;margin-bottom:6px}
.status{padding:0 6px;border-radius:999px;background:#374151}
.status[data-status=live]{background:#14532d;color:#bbf7d0}
.status[data-status=reconnecting],.status[data-status=error],.status[data-status=offline]{background:#7f1d1d;color:#fecaca}
table{width:100%;border-collapse:collapse;margin-bottom:8px}
th,td{text-align:left;padding:2px 6px;border-bottom:1px solid #1f2937;white-space:nowrap}
th{color:#9ca3af;font-weight:normal}
tr[data-state=cached]{color:#9ca3af}
`
