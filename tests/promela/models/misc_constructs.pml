/* Odds and ends: initialisers that use earlier globals, labels named end*, a body
   that starts with a jump, nested atomic sequences, conditional expressions, an if
   whose options are all blocked until someone moves.
   variants: - | WRONG */
byte base = 3;
int derived = base * 2 + 1;
byte x, step;
active proctype A() {
  goto start;
start:
  atomic {
    x = (derived > 6 -> derived : 0);
    atomic { step = 1; x = x + 1 }
  };
  if
  :: step == 2 -> x = x * 2
  :: step == 3 -> x = 0
  fi;
endless:
  assert(x == 16);
#ifdef WRONG
  assert(x != 16)
#endif
}
active proctype B() {
  step == 1 -> step = 2
}
