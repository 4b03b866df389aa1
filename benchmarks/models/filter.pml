/* The filter lock (Peterson's lock generalised to N processes), for the scaling
 * benchmark.  A process climbs N-1 levels; at each it names itself the victim and
 * waits until no other process is at its level or above, or it is no longer the
 * victim.  Safety: never two processes in the critical section. */

#ifndef N
#define N 3
#endif

byte level[N];
byte victim[N];
byte inside;

active [N] proctype P() {
    byte l, k;
    do
    :: l = 1;
       do
       :: l < N ->
          level[_pid] = l;
          victim[l] = _pid;
          k = 0;
          do
          :: k == N -> break
          :: k < N && (k == _pid || level[k] < l || victim[l] != _pid) -> k++
          od;
          l++
       :: else -> break
       od;
       inside++;
       assert(inside == 1);
       inside--;
       level[_pid] = 0;
       l = 0;
       k = 0
    od
}
