/* unless with a d_step and an atomic sequence in its main part: a d_step is one step,
   so the escape cannot cut into it; it can cut between the statements of an atomic
   sequence only where the sequence blocks.  The escape fires once the flag is up.
   INSIDE asserts the atomic part is never left half done (violated: the escape takes
   over where it blocks).
   variants: - | INSIDE */
byte a, b, flag;
active proctype P() {
  {
    d_step { a = 1; a = 2 };
    atomic { b = 1; flag == 9; b = 2 }
  } unless {
    flag == 1 -> skip
  };
#ifdef INSIDE
  assert(b != 1)
#else
  assert((a == 0 || a == 2) && b <= 2)
#endif
}
active proctype Q() { flag = 1 }
