/**
 * Call timers without a `setTimeout` per call: calls in flight wait in lists keyed by how long
 * they wait (a call's deadline length, or its attempt timeout in whole milliseconds). Entries of one
 * list are added at about the time they expire minus the same length, so they expire nearly in
 * order: an entry goes in from the tail (a step or two back at most) and one timer, armed for the
 * list's head, serves the whole list (as Node's own timer lists do, without a Timeout object and a
 * closure per call).
 */

/** Timed is an entry of a TimerList: a call's record, linked in while its timer is armed. */
export abstract class Timed {
  /** timedAt: when the entry expires (`Date.now()` ms); its list calls `expired` at or after it. */
  timedAt = 0;
  timedPrev: Timed | undefined = undefined;
  timedNext: Timed | undefined = undefined;
  timedList: TimerList | undefined = undefined;

  /** expired runs once `timedAt` has passed (the entry is unlinked first and may re-arm itself). */
  abstract expired(): void;
}

/**
 * TimerList is the entries of one wait length, earliest first, and the one timer armed for (at or
 * before) its head. The timer is not moved when the head settles: it fires early at worst, finds
 * nothing due, and re-arms for the head then. It is cleared when the list empties (a lone caller
 * still pays one timer per call). Unref'd: a call in flight is held open by its socket.
 */
class TimerList {
  head: Timed | undefined;
  tail: Timed | undefined;
  timer: NodeJS.Timeout | undefined;
  timerAt = Number.POSITIVE_INFINITY;
  constructor(readonly key: number) {}
}

const lists = new Map<number, TimerList>();

/** arm links `t` to expire at `at`, in the list of wait length `ms` (rounded up to whole ms). */
export function arm(t: Timed, at: number, ms: number): void {
  if (t.timedList !== undefined) disarm(t);
  const key = Number.isFinite(ms) ? Math.ceil(ms) : -1;
  let list = lists.get(key);
  if (list === undefined) {
    list = new TimerList(key);
    lists.set(key, list);
  }
  t.timedAt = at;
  t.timedList = list;
  let after = list.tail;
  while (after !== undefined && after.timedAt > at) after = after.timedPrev;
  t.timedPrev = after;
  t.timedNext = after === undefined ? list.head : after.timedNext;
  if (t.timedNext) t.timedNext.timedPrev = t;
  else list.tail = t;
  if (after) after.timedNext = t;
  else list.head = t;
  if (at < list.timerAt) schedule(list, at);
}

/** disarm unlinks `t` if it is armed (a no-op otherwise). */
export function disarm(t: Timed): void {
  const list = t.timedList;
  if (list === undefined) return;
  if (t.timedPrev) t.timedPrev.timedNext = t.timedNext;
  else list.head = t.timedNext;
  if (t.timedNext) t.timedNext.timedPrev = t.timedPrev;
  else list.tail = t.timedPrev;
  t.timedPrev = undefined;
  t.timedNext = undefined;
  t.timedList = undefined;
  if (list.head === undefined) {
    clearTimeout(list.timer);
    list.timer = undefined;
    list.timerAt = Number.POSITIVE_INFINITY;
    if (lists.get(list.key) === list) lists.delete(list.key);
  }
}

/** schedule (re)arms `list`'s timer for `at`. */
function schedule(list: TimerList, at: number): void {
  if (list.timer !== undefined) clearTimeout(list.timer);
  list.timerAt = at;
  list.timer = setTimeout(fire, Math.max(0, at - Date.now()), list);
  list.timer.unref();
}

function fire(list: TimerList): void {
  list.timer = undefined;
  list.timerAt = Number.POSITIVE_INFINITY;
  const now = Date.now();
  let t = list.head;
  while (t !== undefined && t.timedAt <= now) {
    disarm(t);
    t.expired(); // may arm again, in this list or another
    t = list.head;
  }
  if (list.head !== undefined && list.timer === undefined) schedule(list, list.head.timedAt);
}
