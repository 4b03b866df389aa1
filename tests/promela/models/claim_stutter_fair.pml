/* A run that ends (the worker terminates, or blocks with BLOCK) and a never claim
   that stutters on its last state.  Without fairness an accepting cycle of the claim
   there is a violation (SPIN's pan -a); under weak fairness (pan -f) SPIN reports it
   only if the claim can cycle through accepting states alone, whatever the claim's
   shape: SELF (an accepting self-loop), PAIR (two accepting states), LATE (an
   accepting self-loop entered while stuttering), INNER (an accepting pair beside a
   non-accepting state) are violations; VIA (a cycle through a non-accepting state),
   TRIPLE (two accepting states and a non-accepting one) are not.
   variants: SELF | PAIR | LATE | INNER | VIA | TRIPLE | SELF,BLOCK | VIA,BLOCK | TRIPLE,BLOCK */
byte stage;
bool done;
active proctype Worker() {
  stage = 1;
  done = 1;
#ifdef BLOCK
  stage == 9;
#endif
}
never {
#ifdef SELF
T0:       do :: stage != 2 -> goto accept_x :: true od;
accept_x: do :: stage != 2 od
#endif
#ifdef PAIR
accept_a: do :: true -> goto accept_b od;
accept_b: do :: true -> goto accept_a od
#endif
#ifdef LATE
T0:       do :: done -> goto accept_x :: else od;
accept_x: do :: true od
#endif
#ifdef INNER
T0:       do :: done -> goto accept_a :: else od;
accept_a: do :: true -> goto accept_b od;
accept_b: do :: true -> goto T1 :: true -> goto accept_a od;
T1:       do :: true -> goto accept_a od
#endif
#ifdef VIA
T0:       do :: stage != 2 -> goto accept_x :: true od;
accept_x: do :: true -> goto T0 od
#endif
#ifdef TRIPLE
accept_a: do :: true -> goto accept_b od;
accept_b: do :: true -> goto T1 od;
T1:       do :: true -> goto accept_a od
#endif
}
