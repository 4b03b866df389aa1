/* Dining philosophers: each takes the left fork then the right one; they can all
   hold their left fork (an invalid end state).  ORDERED breaks the cycle.
   variants: - | ORDERED */
#define N 3
bool fork[N];
active [N] proctype Phil() {
  byte first = _pid, second = (_pid + 1) % N;
#ifdef ORDERED
  if
  :: first > second -> first = second; second = _pid
  :: else
  fi;
#endif
  do
  :: atomic { !fork[first] -> fork[first] = true };
     atomic { !fork[second] -> fork[second] = true };
     fork[first] = false; fork[second] = false
  od
}
