/* Several senders and receivers on one rendezvous channel; a receive with a constant
   only matches its message.  Any may take either message; then Picky and the other
   sender wait for ever, at end labels.
   variants: - | WRONG */
chan c = [0] of { byte, byte };
byte got[3];
active [2] proctype Sender() {
end:
  c!_pid,_pid + 5
}
active proctype Picky() {
  byte v;
end:
  c?1,v;
  got[1] = v
}
active proctype Any() {
  byte who, v;
  c??who,v;
  got[who] = v;
#ifdef WRONG
  assert(who == 1)
#else
  assert(v == who + 5)
#endif
}
