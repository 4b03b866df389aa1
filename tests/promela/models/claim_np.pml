/* np_ in a user's never claim, the way SPIN's own non-progress claim reads it: true
   when no process is at a progress label.  pan computes it only while it looks for
   acceptance cycles (with -a; without accept labels -a is ignored), and reads it as
   false when the claim moves alone because the system cannot (stutter), but true on
   the claim's first move after the system stopped.  IDLE lets the worker spin without
   progress; HALT stops it in a state without progress; FIRST asserts on np_ once the
   worker has stopped.
   variants: - | IDLE | HALT | FIRST | IDLE,FIRST */
byte work;
active proctype Worker() {
  do
  :: work < 3 -> work++; progress_step: skip
#ifdef IDLE
  :: work == 3 -> skip
#endif
#ifdef HALT
  :: work == 3 -> break
#endif
  :: work == 3 -> work = 0
  od
}
#ifdef FIRST
never {
  do
  :: work == 3 -> break
  :: else
  od;
  do
  :: np_ -> assert(work != 3)
  :: else -> skip
  od
}
#else
never {    /* <>[] np_ : a run that eventually never makes progress */
  do
  :: np_ -> break
  :: true
  od;
accept_np:
  do
  :: np_
  od
}
#endif
