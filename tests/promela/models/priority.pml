/* Process priorities (SPIN 6): a process may only move when no process of a higher
   priority can move.  The priority comes from "active proctype P() priority N", from
   "run P() priority N" or "init priority N" (default 1); get_priority(pid) reads one
   and set_priority(pid, n) changes one.  Urgent (priority 5) finishes its work before
   Slow (priority 1) moves at all; DEMOTE lowers Urgent's priority half way, so Slow
   may read any count from 2 on (the assert allows only 2 and 4); RUN starts a third process with a high priority.
   variants: - | DEMOTE | RUN */
byte work, seen;
proctype Late() { seen = 7 }
active proctype Slow() {           /* pid 0, priority 1 */
  seen = work;
  assert(get_priority(0) == 1);
#ifdef DEMOTE
  assert(seen == 4 || seen == 2)
#else
  assert(seen == 4)
#endif
}
active proctype Urgent() priority 5 {   /* pid 1 */
  assert(get_priority(_pid) == 5);
  work++;
  work++;
#ifdef DEMOTE
  set_priority(_pid, 1);
#endif
  work++;
  work++
}
#ifdef RUN
init priority 9 {
  run Late() priority 3;
  assert(seen != 7 || work == 4)
}
#endif
