/* provided (expr) after a proctype's parameters: a process of that type may only move
   while expr holds (evaluated in the current state, _pid being the process's own).
   Two workers take turns through their provided clauses (and may both finish once the
   log is complete); LOOSE lets both move at any time, so the strict alternation
   fails; STALL makes the clause false for good (a failed assert and invalid end
   states).
   variants: - | LOOSE | STALL */
byte turn, log;
#ifdef LOOSE
#define MAYGO(me)  1
#elif defined(STALL)
#define MAYGO(me)  (turn == me && log < 2)
#else
#define MAYGO(me)  (turn == me || log == 5)
#endif
active [2] proctype Worker() provided (MAYGO(_pid)) {
  byte k;
  do
  :: k < 2 ->
     log = log * 2 + _pid;
     turn = 1 - _pid;
     k++
  :: k == 2 -> break
  od
}
active proctype Check() {
  timeout -> assert(log == 5)     /* 0, 1, 0, 1: binary 0101 */
}
