/* Predicates with mtype constants, array elements, arithmetic and _nr_pr.
   BADSTATE lets the machine reach its error state.
   variants: - | BADSTATE
   properties: no_error all_set procs_end sum_bounded */
mtype = { idle, busy, error };
mtype state = idle;
byte slot[3];
active proctype Machine() {
  byte i;
  do
  :: i < 3 -> state = busy; slot[i] = i + 1; i++; state = idle
#ifdef BADSTATE
  :: i == 2 -> state = error
#endif
  :: i == 3 -> break
  od
}
ltl no_error { [] (state != error) }
ltl all_set { <> (slot[0] == 1 && slot[1] == 2 && slot[2] == 3) }
ltl procs_end { <> (_nr_pr == 0) }
ltl sum_bounded { [] (slot[0] + slot[1] + slot[2] <= 6) }
