/* Value ranges: byte wraps at 256, short and int are two's complement, bit and bool
   keep the low bit, unsigned keeps its width.
   variants: - | WRONG */
bit b; bool f; byte x = 255; short s = 32767; int i = 2147483647; unsigned u : 3 = 7;
pid who;
active proctype P() {
  x++; s++; i++; u++; b = 3; f = 2;
  assert(x == 0 && s == -32768 && i == -2147483647 - 1 && u == 0 && b == 1 && f == 0);
  x = -1; assert(x == 255);
  s = 65535; assert(s == -1);
  u = 12; assert(u == 4);
  who = _pid;
#ifdef WRONG
  assert(x == 256)
#endif
}
