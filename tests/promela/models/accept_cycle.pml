/* Accept labels: a run that passes an accept label infinitely often.  With FAIR the
   cycle needs the other process to be starved, so weak fairness rules it out.
   variants: - | FAIR */
byte x;
active proctype A() {
accept:
  do
#ifdef FAIR
  :: x == 0 -> skip
#else
  :: x = (x + 1) % 3
#endif
  od
}
active proctype B() {
  x = 1
}
