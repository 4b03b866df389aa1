/* A safety-style never claim: it ends (a violation) as soon as x reaches 3.
   variants: - | LIMIT */
byte x;
active proctype Count() {
  do
#ifdef LIMIT
  :: x < 2 -> x++
  :: x == 2 -> break
#else
  :: x < 5 -> x++
  :: x == 5 -> break
#endif
  od
}
never {
  do
  :: x >= 3 -> break
  :: else
  od
}
