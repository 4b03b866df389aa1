/* enabled() and pc_value() read by a third process: while the gate is closed the
   waiter is not enabled and stays at its first statement (state 1); once the opener
   has run, the waiter is enabled.  EARLY asserts the waiter is enabled from the start
   (violated).
   variants: - | EARLY */
bool gate;
active proctype Waiter() {      /* pid 0 */
  gate;
  gate = false
}
active proctype Opener() {      /* pid 1 */
  gate = true
}
active proctype Watch() {       /* pid 2 */
#ifdef EARLY
  assert(enabled(0))
#else
  assert(gate || !enabled(0));
  assert(pc_value(0) == 1 || pc_value(0) >= 2)
#endif
}
