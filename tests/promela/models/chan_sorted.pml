/* Sorted send (!!) keeps the channel ordered.
   variants: - | WRONG */
chan q = [4] of { byte };
active proctype S() {
  byte a, b, c;
  q!!5; q!!2; q!!9; q!!2;
  q?a; q?b; q?c;
  assert(a == 2 && b == 2 && c == 5);
#ifdef WRONG
  q?a; assert(a == 5)
#endif
}
