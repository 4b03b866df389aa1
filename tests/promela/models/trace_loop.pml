/* A trace with a loop: the sends on ch must alternate 1, 2, 1, 2 ... for as long as
   they go on.  BAD sends two 1s in a row (no matching event); CUT stops after three
   sends, which is fine (a trace need not be finished).
   variants: - | BAD | CUT */
chan ch = [4] of { byte };
active proctype S() {
  ch!1; ch!2;
#ifdef BAD
  ch!1; ch!1
#elif defined(CUT)
  ch!1
#else
  ch!1; ch!2
#endif
}
trace {
  do
  :: ch!1; ch!2
  od
}
