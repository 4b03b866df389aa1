/* C precedence and C arithmetic: division truncates toward zero, % takes the sign of
   the dividend, shifts, bitwise ops, conditional expressions, logical values 0/1.
   variants: - | WRONG */
int a = -7, b = 2, r;
active proctype E() {
  assert(a / b == -3 && a % b == -1 && 7 / -2 == -3 && 7 % -2 == 1);
  assert(1 + 2 * 3 == 7 && (1 + 2) * 3 == 9 && 10 - 4 - 3 == 3);
  assert((1 << 4) == 16 && (256 >> 3) == 32 && (5 & 3) == 1 && (5 | 3) == 7 && (5 ^ 3) == 6);
  assert(~0 == -1 && -a == 7 && !0 == 1 && !5 == 0);
  assert((3 > 2) + (2 > 3) == 1 && (4 == 4) == 1);
  assert(1 || 0 && 0);
  r = (a < 0 -> 10 : 20); assert(r == 10);
  r = (2 && 3); assert(r == 1);
  r = 1 < 2 == 1; assert(r == 1);
  r = 6 & 3 == 3; assert(r == 0);
#ifdef WRONG
  assert(a % b == 1)
#endif
}
