/* Weak fairness and an xr channel: Refill may refill the one-slot channel each time
   Drain empties it, and Sender, who needs the slot too, is blocked each time it is
   full.  A process blocked again and again is not continuously enabled, so a weakly
   fair run may leave Sender waiting for ever: []<> sent fails, with and without
   fairness.  pan's default verifier keeps Drain's xr receive local under -f and
   reports no error under -a -f (SPIN 6.5.2); with -DNOREDUCE, or without the xr
   declaration (NOXR), it reports the cycle.  aioctx counts xr/xs statements as global
   in a fair cycle search (promela/reduce.py) and reports it either way.
   variants: - | NOXR
   properties: sent_often */
chan c = [1] of { byte };
bool sent;
active proctype Drain() {
#ifndef NOXR
  xr c;
#endif
  byte x, flip;
  do
  :: c?x; flip = (flip + 1) % 2
  od
}
active proctype Refill() {
  byte k;
  do
  :: c!k; k = (k + 1) % 4
  od
}
active proctype Sender() {
  c!9;
  sent = true
}
ltl sent_often { []<> sent }
