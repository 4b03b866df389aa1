/* A never claim that watches a process's place and variable through remote
   references (P[pid]@label, P[pid]:x): it is violated if the worker is ever in its
   critical section with its own counter odd.  ODD lets that happen.
   variants: - | ODD */
byte turn;
active proctype Worker() {
  byte x;
  do
  :: x < 4 ->
     x++;
#ifndef ODD
     x++;
#endif
cs:  turn = 1 - turn
  :: x >= 4 -> break
  od
}
never {
  do
  :: Worker[0]@cs && Worker[0]:x % 2 == 1 -> break
  :: else
  od
}
