/* A process's own accept label counts in acceptance mode next to the claim of an
   ltl formula, as in SPIN.  LOOP makes the process pass its accept label forever.
   variants: - | LOOP
   properties: holds broken */
byte x;
active proctype P() {
#ifdef LOOP
accept:
  do
  :: x = 1 - x
  od
#else
  x = 1;
accept:
  x = 2
#endif
}
ltl holds { [] (x <= 2) }
ltl broken { <> (x == 5) }
