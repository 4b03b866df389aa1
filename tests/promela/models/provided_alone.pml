/* A provided clause and the partial-order reduction.  Lazy's statements are all
   local, but whether Lazy may move at all depends on the global its clause reads:
   when Stopper runs first, Lazy is stuck before its first statement, an invalid end
   state.  Expanded alone (as a process whose every statement is local would be), Lazy
   would always finish first and the error would be hidden (test_reduce_language.py).
   EARLY lets Lazy's clause hold for good (no error then).
   variants: - | EARLY */
byte stop;
active proctype Lazy() provided (stop == 0) {
  byte x;
  x = 1;
  x = 2
}
active proctype Stopper() {
#ifdef EARLY
  skip
#else
  stop = 1
#endif
}
