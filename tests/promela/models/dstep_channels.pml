/* d_step with channel operations, a loop and a goto inside it.
   variants: - | WRONG */
chan q = [3] of { byte };
byte sum;
active proctype D() {
  byte i, v;
  d_step {
    i = 0;
again:
    q!i + 1;
    i++;
    if
    :: i < 3 -> goto again
    :: else
    fi;
    do
    :: q?v -> sum = sum + v
    :: empty(q) -> break
    od
  };
  assert(sum == 6);
#ifdef WRONG
  assert(sum == 0)
#endif
}
active proctype Peek() {
  assert(sum == 0 || sum == 6);
  assert(len(q) == 0)
}
