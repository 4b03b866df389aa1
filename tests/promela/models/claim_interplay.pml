/* A never claim with atomic sequences, a rendezvous and timeout in the system: the
   claim looks only at states outside atomic sequences and rendezvous, also where an
   atomic sequence blocks; timeout becomes true when the system cannot move.
   variants: - | PEEK | LATE */
chan c = [0] of { byte };
byte x, phase;
active proctype A() {
  atomic { x = 1; x = 2; c!x; x = 3 };
  timeout -> phase = 1
}
active proctype B() {
  byte v;
  atomic { c?v; x = v + 10; x = 0 };
#ifdef LATE
  phase == 1 -> x = 7
#endif
}
never {
  do
#ifdef PEEK
  :: x == 1 -> break       /* x is 1 only inside A's atomic sequence: never seen */
  :: x == 12 -> break      /* B's atomic sequence is never interrupted either */
#endif
  :: x == 7 -> break
  :: else
  od
}
