/* init starts processes inside an atomic sequence (they start together), with
   channel arrays and arrays of mtype.
   variants: - | WRONG */
mtype = { tick, tock };
chan links[2] = [2] of { mtype, byte };
mtype last[2];
proctype Node(byte me; chan in) {
  byte v;
  in?last[me],v;
  assert(v == me + 10)
}
init {
  atomic {
    run Node(0, links[0]);
    run Node(1, links[1]);
    assert(_nr_pr == 3)
  };
  links[1]!tock,11;
  links[0]!tick,10;
  _nr_pr == 1;
  assert(last[0] == tick && last[1] == tock);
#ifdef WRONG
  assert(last[0] == last[1])
#endif
}
