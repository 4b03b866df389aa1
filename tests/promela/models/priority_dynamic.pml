/* Priorities changed on the way: a process hands the lead to another by raising the
   other's priority above its own (set_priority), so the order of the log is fixed;
   a priority may be read with get_priority.  SAME gives both the same priority, so
   their steps interleave and the order is not fixed (violated).
   variants: - | SAME */
byte log, turn;
active proctype First() priority 4 {
  log = log * 3 + 1;
#ifdef SAME
  set_priority(1, 4);
#else
  set_priority(1, 6);
#endif
  log = log * 3 + 1
}
active proctype Second() priority 2 {
  log = log * 3 + 2;
  assert(get_priority(_pid) >= 4);
  log = log * 3 + 2
}
active proctype Check() priority 1 {
  timeout -> assert(log == 1 * 27 + 2 * 9 + 2 * 3 + 1)
}
