/* timeout is true only when nothing else can move.
   variants: - | WRONG */
byte x;
active proctype T() {
  do
  :: x < 3 -> x++
  :: timeout -> break
  od;
  assert(x == 3)
}
active proctype U() {
  x == 3;
#ifdef WRONG
  timeout -> assert(false)
#else
  timeout -> skip
#endif
}
