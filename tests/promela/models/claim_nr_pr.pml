/* With a never claim SPIN counts the claim in _nr_pr; the claim here only watches.
   variants: - | WRONG */
byte seen;
active proctype P() {
#ifdef WRONG
  seen = _nr_pr + 1;
#else
  seen = _nr_pr;
#endif
}
never {
  do
  :: seen == 3 -> break
  :: else
  od
}
