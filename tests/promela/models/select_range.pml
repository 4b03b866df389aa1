/* select (v : a..b) picks any value in a..b nondeterministically.  SPIN writes a
   constant range out as an if with one option per value, and any other range as
   v = a followed by a loop that may increase v by one or stop (VAR).  Every value can
   be picked, so NEVER_THREE fails; a select over one value picks it.
   variants: - | NEVER_THREE | ONE | VAR | VAR,NEVER_THREE */
byte v, w, top = 4;
active proctype Pick() {
#ifdef VAR
  select (v : 2 .. top);
#else
  select (v : 2 .. 4);
#endif
  assert(v >= 2 && v <= 4);
#ifdef NEVER_THREE
  assert(v != 3);
#endif
#ifdef ONE
  select (w : 7 .. 7);
  assert(w == 7)
#endif
}
