/* A never claim that cannot move ends the run before the system's next step, as in
   pan: an assertion the system would fail at that step is never executed.  The claim
   moves first, then the system: in the plain variant the claim cannot move at all;
   with LATE it follows two steps and then cannot follow the third; with MOVES it
   always can, and the assertion fails.  Inside an atomic sequence the claim does not
   move (ATOMIC), so the assertion after the claim's last move fails there too.
   variants: - | LATE | MOVES | ATOMIC */
byte g;
active proctype P() {
#ifdef LATE
  g = 1;
  g = 0;
#endif
#ifdef ATOMIC
  atomic { g = 1; assert(g == 0) }
#else
  assert(g == 1)
#endif
}
never {
#if defined(MOVES)
  do :: true od
#elif defined(LATE)
  (g == 0);
  do :: (g == 1) od
#elif defined(ATOMIC)
  (g == 0);
  false
#else
  false
#endif
}
