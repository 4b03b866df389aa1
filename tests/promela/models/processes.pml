/* run, _pid, _nr_pr, parameters, process termination in reverse creation order and
   pid reuse.
   variants: - | WRONG */
byte done, seen[4];
proctype Worker(byte id; byte twice) {
  seen[_pid] = id;
  assert(twice == 2 * id);
  done++
}
init {
  byte p1, p2;
  assert(_pid == 0 && _nr_pr == 1);
  p1 = run Worker(1, 2);
  p2 = run Worker(2, 4);
  assert(p1 == 1 && p2 == 2);
  done == 2;
  _nr_pr == 1;          /* both workers have terminated and been removed */
  p1 = run Worker(3, 6);
  assert(p1 == 1);      /* their pids are reused */
  done == 3;
#ifdef WRONG
  assert(seen[2] == 3)
#endif
}
