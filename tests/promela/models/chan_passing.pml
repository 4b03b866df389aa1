/* Channels as values: passed to run, sent in messages, local channels created with
   their process.
   variants: - | WRONG */
chan reply = [1] of { chan };
proctype Server(chan req) {
  chan mine = [1] of { byte };
  byte v;
  req?v;
  mine!v * 2;
  reply!mine
}
init {
  chan req = [1] of { byte };
  chan back;
  byte w;
  run Server(req);
  req!21;
  reply?back;
  back?w;
  assert(w == 42);
#ifdef WRONG
  assert(len(back) == 1)
#endif
}
