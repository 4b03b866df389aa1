/* A run that ends (every process terminated, or blocked) counts as its last state
   repeated forever: <> properties fail if that state misses them, [] properties
   about it must hold forever.  BLOCK makes the worker block before finishing.
   stays_done is where SPIN's pan -f misses a violation (test_ltl_agreement.py).
   variants: - | BLOCK
   properties: finishes always_small */
byte stage;
active proctype Worker() {
  stage = 1;
#ifdef BLOCK
  stage == 9;
#endif
  stage = 2
}
ltl finishes { <> (stage == 2) }
ltl stays_done { <> [] (stage == 2) }
ltl always_small { [] (stage < 2) }
