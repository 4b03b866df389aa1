/* A failed assertion after a helper process has come and gone.  SPIN's trail takes
   the failing assert step, so its final state has Main past the assert, at its end;
   Helper has died, so one process is left of the two created (test_final_state.py).
   HOLDS makes the assertion true.
   variants: - | HOLDS */
byte a[3];
bool seen;
proctype Helper() { a[2] = 5 }
active proctype Main() priority 3 {
  run Helper() priority 2;
  (_nr_pr == 1);
  a[0] = a[2] + 1;
  seen = true;
#ifdef HOLDS
  assert(a[0] == 6)
#else
  assert(a[0] != 6)
#endif
}
