/* ltl formulas in a model with progress labels: non-progress mode checks no ltl
   formula (SPIN's -DNP uses its own claim), the other modes check the first one.
   STALL adds a loop that makes no progress.
   variants: - | STALL
   properties: cycles bounded */
byte n;
active proctype P() {
  do
  :: n < 3 -> progress: n++
  :: n == 3 -> n = 0
#ifdef STALL
  :: n == 3 -> n = 3
#endif
  od
}
ltl cycles { [] <> (n == 0) }
ltl bounded { [] (n <= 3) }
