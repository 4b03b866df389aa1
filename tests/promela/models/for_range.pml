/* for (i : a..b) runs its body with i = a, a+1, ..., b (none when a > b), and leaves
   i at b + 1; the bounds are expressions read once per round (the test i <= b is
   evaluated before each round).  for (i in array) runs it for each index of the
   array.  OFF asserts a wrong final value; BREAK leaves the loop early; EMPTY has a
   range that runs no round (SPIN refuses such a range when both bounds are
   constants).
   variants: - | OFF | BREAK | EMPTY */
byte sum, i, n = 3;
int a[4];
active proctype P() {
  byte j;
  for (i : 1 .. n) {
    sum = sum + i
  }
  assert(sum == 6 && i == 4);
  for (j in a) {
    a[j] = j * 2;
#ifdef BREAK
    if
    :: j == 2 -> break
    :: else
    fi
#endif
  }
#if defined(BREAK)
  assert(j == 2 && a[3] == 0);
#else
  assert(j == 4 && a[3] == 6);
#endif
#ifdef EMPTY
  for (i : n + 2 .. n) { sum++ }
  assert(sum == 6 && i == 5);
#endif
#ifdef OFF
  assert(i == 3)
#endif
}
