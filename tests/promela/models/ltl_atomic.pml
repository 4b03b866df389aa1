/* The never claim of an ltl formula looks at the states between atomic sequences
   only, as in SPIN: x is 1 only inside the atomic sequence, so [] (x != 1) holds;
   OPEN drops the atomic and it no longer does.
   variants: - | OPEN
   properties: never_one reaches_two */
byte x;
active proctype A() {
#ifdef OPEN
  x = 1; x = 2;
#else
  atomic { x = 1; x = 2 };
#endif
  x = 3
}
ltl never_one { [] (x != 1) }
ltl reaches_two { <> (x == 2) }
