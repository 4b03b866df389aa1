/* enabled(pid) in a never claim (and, with SPIN's warning, in a process): whether
   process pid has an executable statement in the current state, whatever the others
   do.  A pid nobody runs is not enabled.  STARVE: the claim ends if the consumer is
   ever blocked while the producer is not; SELF: a process asking about itself (a
   run-time error in SPIN).  (SPIN refuses enabled() in models with rendezvous
   channels.)
   variants: - | STARVE | SELF */
chan c = [1] of { byte };
byte got;
active proctype Producer() {       /* pid 0 */
  byte k;
  do
  :: k < 3 -> c!k; k++
  :: k == 3 -> break
  od
}
active proctype Consumer() {       /* pid 1 */
  byte v;
  do
  :: c?v -> got++
  od
}
active proctype Watch() {          /* pid 2 */
  assert(!enabled(7));
#ifdef SELF
  assert(enabled(2));
#endif
end: (got == 3) -> assert(!enabled(1))
}
never {
  do
#ifdef STARVE
  :: !enabled(1) && enabled(0) -> break
#endif
  :: enabled(1) && enabled(0) && got > 3 -> break
  :: else
  od
}
