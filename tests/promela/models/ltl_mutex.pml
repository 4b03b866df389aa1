/* Two processes share a critical section through a flag and a turn (Peterson's
   algorithm); ltl properties read the processes' labels with remote references.
   WEAK leaves out the turn, so both may enter.
   variants: - | WEAK
   properties: exclusive entry_left entry_right */
bool flag[2];
byte turn;
active [2] proctype P() {
  byte other = 1 - _pid;
again:
  flag[_pid] = true;
#ifndef WEAK
  turn = other;
  (flag[other] == false || turn == _pid);
#endif
cs:
  skip;
  flag[_pid] = false;
  goto again
}
ltl exclusive { [] !(P[0]@cs && P[1]@cs) }
ltl entry_left { [] <> P[0]@cs }
ltl entry_right { []<>(P[1]@cs) }
