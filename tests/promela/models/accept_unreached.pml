/* pan decides by its labels whether -a looks for cycles, so an accept label that no run
   can reach still makes -a an acceptance search, in which an invalid end state is no
   error.  P blocks for ever at g == 1 (an invalid end state, an error in safety mode);
   its accept label sits where nothing goes.  REACHED: the label can be reached (the
   same verdicts); NONE: no accept label, so -a is a safety search and reports the
   invalid end state.
   variants: - | REACHED | NONE */
byte g;
active proctype P() {
  g == 1;
#ifndef REACHED
  goto done;
#endif
#ifdef NONE
  g = 2;
#else
accept:
  g = 2;
#endif
done:
  skip
}
