/*
 * The filter lock (Peterson's algorithm generalised to N processes): a process climbs
 * N-1 levels; at each it names itself the level's victim and waits until no other
 * process is at its level or above, or another has become the victim.  At most one
 * process is in the critical section.  Used to measure the reductions (issue 13).
 * -DBUG: the wait also lets a process pass when another is at the same level.
 *   variants: - | BUG | N=2
 */
#ifndef N
#define N 3
#endif
byte level[N];          /* level[p]: the level process p has reached (0: not trying) */
byte victim[N];         /* victim[l]: the last process to enter level l */
byte inside;            /* processes in the critical section */

active [N] proctype Filter() {
  byte l, k;
  do
  :: l = 1;
     do
     :: l < N ->
        level[_pid] = l;
        victim[l] = _pid;
        k = 0;
        do
        :: k == _pid -> k++
        :: k != _pid && k < N ->
#ifdef BUG
           (level[k] <= l || victim[l] != _pid);
#else
           (level[k] < l || victim[l] != _pid);
#endif
           k++
        :: k == N -> break
        od;
        l++
     :: else -> break
     od;
     inside++;
     assert(inside == 1);
     inside--;
     level[_pid] = 0
  od
}
