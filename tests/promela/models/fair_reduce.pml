/* The partial-order reduction under weak fairness.  Looper spins for ever; where it
   is at its first choice (both moves local, neither closing its loop) the reduction
   expands it alone, so those states do not show that Setter could move too.  Setter
   is postponed there, not blocked: a cycle on which Looper spins and Setter never
   sets the flag is not weakly fair, and the claim (<>[] !flag) must find no fair
   acceptance cycle.  Without fairness it finds one.  BLOCKED makes Setter wait for a
   flag nobody sets: it is blocked everywhere, and the cycle is fair.
   variants: - | BLOCKED */
bool flag, never_set;
active proctype Looper() {
  byte x;
  do
  :: if
     :: x = 1
     :: x = 2
     fi;
     if
     :: x = 0
     :: x = 3
     fi
  od
}
active proctype Setter() {
#ifdef BLOCKED
  never_set;
#endif
  flag = true
}
never {
  do
  :: !flag -> break
  :: true
  od;
accept:
  do
  :: !flag
  od
}
