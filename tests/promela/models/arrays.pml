/* Arrays: global and local, computed indexes, initialisers, out-of-bounds indexing is
   a run-time error.
   variants: - | OOB */
byte g[4] = 3;
int h[3];
active proctype A() {
  byte i, l[5];
  do
  :: i < 4 -> g[i] = g[i] + i; l[i + 1] = i; i++
  :: i == 4 -> break
  od;
  assert(g[0] == 3 && g[3] == 6 && l[4] == 3 && l[0] == 0);
  h[2] = -5; assert(h[2] + h[1] == -5);
#ifdef OOB
  g[i] = 1
#endif
}
