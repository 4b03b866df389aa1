/* _last: the pid of the process that made the last move (0 before any move).  It is
   part of the state, so a model that reads it has more states.  B checks it right
   after its own move, inside an atomic sequence (holds); WRONG checks it after leaving
   the sequence, when A may have moved in between; TURNS makes A and B take turns by
   looking at _last, which ends in a deadlock or a failed assert (each needs the other
   to have moved last); CLAIM watches _last from a
   never claim (the claim's own moves leave it alone).
   variants: - | WRONG | TURNS | CLAIM */
byte a, b;
active proctype A() {              /* pid 0 */
  do
  :: a < 3 ->
#ifdef TURNS
     _last == 1;
#endif
     a++
  :: a == 3 -> break
  od
}
active proctype B() {              /* pid 1 */
  do
  :: b < 3 ->
#ifdef TURNS
     _last == 0;
#endif
#ifdef WRONG
     atomic { b++ }; assert(_last == 1)
#else
     atomic { b++; assert(_last == 1) }
#endif
  :: b == 3 -> break
  od;
#ifdef TURNS
  assert(a >= 2)
#endif
}
#ifdef CLAIM
never {
  do
  :: _last == 1 && b == 3 && a == 0 -> break
  :: else
  od
}
#endif
