/**
 * `reality/tabs`: one held sync request per browser, and each change fetched
 * once per browser, for all the tabs of an origin (opt-in, beyond the core).
 *
 * @example
 * import { getSharedStore } from 'reality'
 * import { shareTabs } from 'reality/tabs'
 * const store = getSharedStore(shareTabs())
 *
 * @packageDocumentation
 */
export { shareTabs, type ShareTabsOptions, type SharedTabs } from './share-tabs.js'
