/* Rendezvous channels: sender and receiver move together; a send without a partner
   blocks.
   variants: - | LONELY */
chan r = [0] of { mtype, byte };
mtype = { ping, pong };
byte n;
active proctype A() {
  r!ping,1;
  r?pong,n;
  assert(n == 2);
#ifdef LONELY
  r!ping,3
#endif
}
active proctype B() {
  byte v;
  r?ping,v;
  assert(v == 1);
  r!pong,v + 1
}
