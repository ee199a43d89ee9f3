/**
 * Something with a deadline in a {@link DeadlineWheel}.
 *
 * @example
 * const item: Expiring = { expire: () => console.log('time is up') }
 */
export interface Expiring {
  expire(): void
}

/**
 * One timer for every held request's deadline. A `setTimeout` per held
 * request costs a Timeout object and a timer-list entry each (a large part
 * of what a hold weighs); here a hold is one entry in the Set of its
 * deadline slot, and a single timer fires for the earliest slot. Deadlines
 * are rounded up to `slotMs` (default 100 ms), so a hold may last up to
 * that much longer than asked — never shorter.
 *
 * @example
 * const wheel = new DeadlineWheel()
 * const slot = wheel.add(hold, 25_000)
 * wheel.remove(hold, slot) // answered before its deadline
 */
export class DeadlineWheel<T extends Expiring = Expiring> {
  private readonly slots = new Map<number, Set<T>>()
  private timer: ReturnType<typeof setTimeout> | undefined
  private timerSlot = Infinity
  private count = 0

  constructor(private readonly slotMs = 100) {}

  /** Arms `item` to expire in `waitMs`; returns its slot, for {@link remove}. */
  add(item: T, waitMs: number): number {
    const slot = Math.ceil((Date.now() + waitMs) / this.slotMs)
    let items = this.slots.get(slot)
    if (!items) this.slots.set(slot, (items = new Set()))
    items.add(item)
    this.count++
    if (slot < this.timerSlot) this.schedule(slot)
    return slot
  }

  /** Disarms `item` (idempotent). The timer stops when nothing is left. */
  remove(item: T, slot: number): void {
    const items = this.slots.get(slot)
    if (!items?.delete(item)) return
    this.count--
    if (items.size === 0) this.slots.delete(slot)
    if (this.count === 0) this.stop()
  }

  /** Visits every armed item (a copy: `visit` may remove items). */
  forEach(visit: (item: T) => void): void {
    for (const items of [...this.slots.values()]) for (const item of [...items]) visit(item)
  }

  /** Deadlines armed now. */
  size(): number {
    return this.count
  }

  private schedule(slot: number): void {
    clearTimeout(this.timer)
    this.timerSlot = slot
    this.timer = setTimeout(fire, Math.max(0, slot * this.slotMs - Date.now()), this)
  }

  private stop(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    this.timerSlot = Infinity
  }

  /** Expires every slot that is due, then waits for the next one. */
  run(): void {
    this.timer = undefined
    this.timerSlot = Infinity
    const now = Date.now() / this.slotMs
    for (const [slot, items] of [...this.slots]) {
      if (slot > now) continue
      this.slots.delete(slot)
      for (const item of items) {
        this.count--
        try {
          item.expire()
        } catch (error) {
          console.error('[reality] a held request failed to expire', error)
        }
      }
    }
    let next = Infinity
    for (const slot of this.slots.keys()) if (slot < next) next = slot
    if (next !== Infinity) this.schedule(next)
  }
}

function fire(wheel: DeadlineWheel<Expiring>): void {
  wheel.run()
}
