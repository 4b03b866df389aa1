/* Remote references in ltl formulas: a process's local variable (P[pid]:v, and P:v
   for the first P), and its labels (P[pid]@label, P@label).  The ltl blocks come
   before the proctype: SPIN reads their claims after the whole model.
   variants: - | OVERSHOOT
   properties: local_bound local_first at_label label_first_proc */
ltl local_bound { [] (Worker[1]:count <= 2) }
ltl local_first { <> (Worker:count == 2) }
ltl at_label { [] (Worker[1]@done -> Worker[1]:count == 2) }
ltl label_first_proc { <> Worker@done }
active [2] proctype Worker() {
  byte count;
  do
  :: count < 2 -> count++
#ifdef OVERSHOOT
  :: count == 2 && _pid == 1 -> count++
#endif
  :: count >= 2 -> break
  od;
done:
  skip
}
