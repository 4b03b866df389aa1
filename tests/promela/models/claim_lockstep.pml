/* The shape of QEMU's tcg-exclusive claim: "do :: !DONE -> accept: skip :: 1 ->
   assert(SAFE) od".  The claim moves in lockstep with the system and needs two of its
   moves to come back to the assert, so it evaluates SAFE only on every other state:
   Flip breaks SAFE only on states the claim does not look at, and passes (in SPIN too).
   ODD adds one step to Flip's loop, which moves the bad state onto a step the claim
   evaluates; SLOW adds a process whose single step can shift the parity instead.
   variants: - | ODD | SLOW */
bool bad;
byte rounds;
active proctype Flip() {
  do
  :: rounds < 3 ->
#ifdef ODD
     skip;
#endif
     bad = 1; bad = 0; rounds++
  :: rounds == 3 -> break
  od
}
#ifdef SLOW
active proctype Other() { skip }
#endif
#define DONE  (rounds == 3)
never {
  do
  :: !DONE -> accept_busy: skip
  :: 1 -> assert(!bad)
  od
}
