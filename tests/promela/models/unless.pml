/* unless: while the main sequence runs, the escape's first statement is tried before
   each of its statements and wins when executable; then the escape runs to its end.
   With nested unless the outer escape has priority.  The escape also covers the
   statements of an atomic sequence and of loops inside the main sequence.
   EARLY lets the escape fire before the work is done (the assertion fails); NEST adds
   an inner unless whose escape becomes executable together with the outer one and
   must lose; HANG makes the main sequence block, so only the escape can end it.
   variants: - | EARLY | NEST | HANG | NEST,EARLY */
byte step, stop, caught;
active proctype Worker() {
  {
    do
    :: step < 3 -> step++
    :: step == 3 -> break
    od;
#ifdef NEST
    { step++; step++; step++ } unless { stop == 2 -> caught = 1 };
#else
    atomic { step++; step++ };
#endif
#ifdef HANG
    step == 99;
#endif
    step = 10
  } unless {
    stop == 2 -> caught = caught + 2
  };
#ifdef EARLY
  assert(step == 10 || caught == 0)
#else
  assert(caught != 1 && (step == 10) != (caught == 2))
#endif
}
active proctype Stopper() {
  stop = 1;
#ifdef EARLY
  stop = 2
#else
  (step >= 5) -> stop = 2
#endif
}
