/* else is taken only when no other option of the same process can move.
   variants: - | WRONG */
byte turn, log;
active proctype A() {
  do
  :: turn == 0 -> log = log * 2; turn = 1
  :: else -> skip
  :: log > 20 -> break
  od
}
active proctype B() {
  do
  :: turn == 1 -> log = log + 1; turn = 0
  :: log > 20 -> break
  od
}
active proctype Check() {
  log > 20;
#ifdef WRONG
  assert(log != 21)
#else
  assert(log == 21 || log == 22 || log == 42 || log == 43 || log == 44 || log == 45 || log == 46)
#endif
}
