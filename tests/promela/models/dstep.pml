/* d_step: one indivisible step, deterministic choice of the first open option.
   variants: - | WRONG | BLOCK */
byte a, b;
active proctype D() {
  d_step {
    a = 1;
    if
    :: a == 1 -> b = 10
    :: a == 1 -> b = 20
    :: else -> b = 30
    fi;
    a = b + 1
  };
  assert(b == 10 && a == 11)
}
active proctype Spy() {
  assert(a == 0 || a == 11);
#ifdef WRONG
  assert(a != 11)
#endif
#ifdef BLOCK
  d_step { b == 10; a = 5; b == 99; a = 6 }
#endif
}
