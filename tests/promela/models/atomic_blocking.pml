/* An atomic sequence that blocks loses control; others run; then it resumes.
   variants: - | WRONG */
byte go, seen;
active proctype A() {
  atomic { seen = 1; go == 1; seen = 2 }
}
active proctype B() {
  seen == 1 -> go = 1;
  seen == 2;
#ifdef WRONG
  assert(seen == 1)
#endif
}
