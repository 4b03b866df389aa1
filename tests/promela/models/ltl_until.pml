/* Until, weak until and strong until, with their keyword forms: x climbs from 0
   to 3; STALL stops it at 1 forever, SKIP jumps from 0 to 2.
   variants: - | STALL | SKIP
   properties: strong weak keywords_strong keywords_weak nested */
byte x;
active proctype Climb() {
  x = 1;
#ifdef STALL
  (x == 9);                 /* blocks: the run ends with x == 1 */
#endif
#ifdef SKIP
  x = 3;
#else
  x = 2;
  x = 3;
#endif
}
ltl strong { (x <= 1) U (x == 2) }
ltl weak { (x <= 1) W (x == 2) }
ltl keywords_strong { (x <= 1) stronguntil (x == 2) }
ltl keywords_weak { (x <= 1) weakuntil (x == 2) }
ltl nested { (x == 0) until ((x == 1) until (x >= 2)) }
