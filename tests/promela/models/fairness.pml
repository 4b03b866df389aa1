/* Weak fairness: B waits for a flag A sets only if it ever gets to move.  Without
   fairness A may spin forever while B stays enabled (an acceptance cycle through the
   never claim); with fairness B must eventually move.
   variants: - | BLOCKED */
bool flag;
byte spins;
active proctype A() {
  do
  :: spins = 1 - spins
  od
}
active proctype B() {
#ifdef BLOCKED
  false;
#endif
  flag = true
}
never {    /* <>[] !flag : flag never becomes true */
  do
  :: !flag -> skip
  :: !flag -> break
  od;
accept:
  do
  :: !flag
  od
}
