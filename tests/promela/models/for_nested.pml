/* Nested for loops (a break leaves the inner one only), a for inside a d_step, and a
   for over the indices of an array of structures.  OFF expects a wrong count.
   variants: - | OFF */
typedef Cell { byte v; bit mark };
Cell cells[3];
byte count, i, j, k;
active proctype P() {
  for (i : 0 .. 2) {
    for (j : 0 .. 3) {
      if
      :: j > i -> break
      :: else -> count++
      fi
    }
  }
  assert(count == 6);
  d_step {
    for (k : 1 .. 4) { count = count + k }
  }
  assert(count == 16 && k == 5);
  for (i in cells) {
    cells[i].v = i * 3;
    cells[i].mark = 1
  }
#ifdef OFF
  assert(cells[2].v == 5)
#else
  assert(cells[2].v == 6 && cells[0].mark && i == 3)
#endif
}
