/* ltl formulas over channels: len() in blocks; empty(), nempty(), full(), nfull()
   through --ltl (SPIN refuses channel probes in ltl formulas, so its side of the
   comparison uses len()).  LOSE drops a message; SLOW lets the buffer fill.
   variants: - | LOSE | SLOW
   properties: bounded delivered
   ltl-option: [] (full(q) -> <> nfull(q)) => [] (len(q) == 2 -> <> (len(q) < 2))
   ltl-option: [] <> empty(q) => [] <> (len(q) == 0)
   ltl-option: <> [] !nempty(q) => <> [] !(len(q) > 0)
   ltl-option: [] (sent > got -> nempty(q) || len(r) > 0) => [] (sent > got -> len(q) > 0 || len(r) > 0) */
chan q = [2] of { byte };
chan r = [0] of { byte };
byte sent, got;
active proctype Producer() {
  do
  :: sent < 3 -> q!sent; sent++
  :: sent == 3 -> break
  od
}
active proctype Relay() {
  byte v;
  do
  :: q?v ->
#ifdef LOSE
     if
     :: v == 1 -> skip
     :: else -> r!v
     fi
#else
     r!v
#endif
  od
}
active proctype Consumer() {
  byte v;
#ifdef SLOW
  sent == 3;
#endif
  do
  :: r?v -> got++
  od
}
ltl bounded { [] (len(q) <= 2) }
ltl delivered { <> (got == 3) }
