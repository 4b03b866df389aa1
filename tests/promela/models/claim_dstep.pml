/* A d_step in a never claim is one claim move: its conditions are tested on one
   state.  STUCK has a d_step whose second condition fails (a run-time error in SPIN:
   "block in d_step seq"); SEE lets the claim see x == 2 and end.
   variants: - | STUCK | SEE */
byte x;
active proctype Count() {
  do
  :: x < 3 -> x++
  :: x == 3 -> x = 0
  od
}
never {
  do
#if defined(STUCK)
  :: d_step { x == 2; x == 3 } -> break
#elif defined(SEE)
  :: d_step { x >= 2; x <= 2; skip } -> break
#else
  :: d_step { x == 2; x == 2 } -> assert(x == 2 || x == 3)
#endif
  :: else
  od
}
