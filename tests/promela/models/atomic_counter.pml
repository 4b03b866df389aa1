/* Two non-atomic increments race; atomic ones do not.
   variants: - | RACE */
byte n;
active [2] proctype Inc() {
  byte t;
#ifdef RACE
  t = n; n = t + 1
#else
  atomic { t = n; n = t + 1 }
#endif
}
active proctype Check() {
  _nr_pr == 1 -> assert(n == 2)
}
