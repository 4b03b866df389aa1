/* Weak fairness with rendezvous moves: the pinger and ponger exchange forever; the
   idler must move too, or be blocked, for a cycle to count as fair.
   variants: - | BLOCK */
chan c = [0] of { bit };
bit flag;
active proctype Ping() {
  do
  :: c!1
  od
}
active proctype Pong() {
  bit b;
  do
  :: c?b
  od
}
active proctype Idler() {
#ifdef BLOCK
  flag == 1;
#endif
  flag = 1
}
never {    /* <>[] (flag == 0): flag is never set */
  do
  :: flag == 0 -> skip
  :: flag == 0 -> break
  od;
accept:
  do
  :: flag == 0
  od
}
