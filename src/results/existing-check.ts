/** When a bulk job reads which keys of a group are already stored before computing them. */

/** EMPTY_STREAK: reads in a row that found no stored key before `auto` stops reading first. */
const EMPTY_STREAK = 8;

/**
 * ExistingCheck decides whether a group first reads which of its keys are stored. `always`: every
 * group. `auto`: while resuming a job, or once any key was found stored, until EMPTY_STREAK reads
 * in a row found none; a fresh job then costs one etcd transaction per group instead of two, and
 * a key stored meanwhile is still never written twice (the put-if-absent finds it, and reading
 * starts again).
 */
export class ExistingCheck {
  #reading: boolean;
  #empty = 0;

  constructor(
    readonly mode: 'auto' | 'always',
    resumed: boolean,
  ) {
    this.#reading = mode === 'always' || resumed;
  }

  /** reading: whether the next group reads first. */
  get reading(): boolean {
    return this.#reading;
  }

  /** observe takes the number of keys a read (or a write) found already stored. */
  observe(found: number): void {
    if (found > 0) {
      this.#reading = true;
      this.#empty = 0;
    } else if (this.mode === 'auto' && ++this.#empty >= EMPTY_STREAK) {
      this.#reading = false;
    }
  }
}
