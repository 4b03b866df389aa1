/* A do loop as the first statement of an atomic keeps control while it loops.
   variants: - | WRONG */
byte i, other;
active proctype L() {
  atomic {
    do
    :: i < 4 -> i++
    :: i == 4 -> break
    od;
    assert(other == 0 || i == 0)
  }
}
active proctype O() {
#ifdef WRONG
  other = 1
#else
  (i == 0 || i == 4) -> other = 1
#endif
}
