/* select inside a loop: three picks of 0..2 each add up to any value from 0 to 6, and
   a select over a variable range (SPIN's loop form) whose upper bound moves with the
   sum.  NEVER_SIX claims 6 cannot be reached (violated); SMALL asserts a bound that
   holds.
   variants: - | NEVER_SIX | SMALL */
byte sum, pick, n, far;
active proctype P() {
  do
  :: n < 3 -> select (pick : 0 .. 2); sum = sum + pick; n++
  :: n == 3 -> break
  od;
  select (far : sum .. sum + 1);
#ifdef NEVER_SIX
  assert(sum != 6)
#elif defined(SMALL)
  assert(far <= 7)
#else
  assert(far >= sum && far <= sum + 1 && sum <= 6)
#endif
}
