/* Two non-atomic increments race; atomic ones do not.
   variants: - | RACE */
byte n, finished;
active [2] proctype Inc() {
  byte t;
#ifdef RACE
  t = n; n = t + 1;
#else
  atomic { t = n; n = t + 1 };
#endif
  finished++
}
active proctype Check() {
  finished == 2 -> assert(n == 2)
}
