/* A rendezvous send inside an atomic hands control to the receiver.
   variants: - | WRONG */
chan c = [0] of { byte };
byte stage;
active proctype S() {
  atomic { stage = 1; c!5; stage = 2 }
}
active proctype R() {
  byte v;
  atomic { c?v; assert(stage == 1); stage = 3 }
}
active proctype W() {
#ifdef WRONG
  stage == 3 -> assert(false)
#else
  stage == 2 || stage == 3
#endif
}
