/* Peterson's mutual exclusion for two processes; BROKEN drops the turn variable.
   variants: - | BROKEN */
bool flag[2];
byte turn, inside;
active [2] proctype P() {
  do
  :: flag[_pid] = true;
#ifndef BROKEN
     turn = 1 - _pid;
     (!flag[1 - _pid] || turn == _pid);
#else
     !flag[1 - _pid];
#endif
     inside++;
     assert(inside == 1);
     inside--;
     flag[_pid] = false
  od
}
