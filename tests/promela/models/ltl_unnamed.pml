/* ltl blocks without names are ltl_0, ltl_1, ... in SPIN; pan checks the first
   property without -N.  FIRST_HOLDS makes the first formula true.
   variants: - | FIRST_HOLDS
   properties: ltl_0 ltl_1 named */
byte n;
active proctype Count() {
  do
  :: n < 3 -> n++
  :: n == 3 -> break
  od
}
#ifdef FIRST_HOLDS
ltl { <> (n == 3) }
#else
ltl { [] (n < 3) }
#endif
ltl named { [] (n <= 3) }
ltl { <> [] (n == 3) }
