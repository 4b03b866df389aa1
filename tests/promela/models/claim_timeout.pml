/* A never claim that reads timeout: pan asks the claim again with timeout true when
   the system can only go on by a timeout, so the claim sees timeout exactly in the
   states where no process can move otherwise; in a stutter (nobody can move at all)
   too.  STUCK: the worker stops waiting, so the timeout the claim looks for comes.
   variants: - | STUCK | LATE */
byte x;
chan c = [1] of { byte };
active proctype Worker() {
  do
  :: x < 2 -> x++
#ifndef STUCK
  :: x == 2 -> x = 0
#endif
  od
}
active proctype Waker() {
end:
  timeout -> c!1
}
never {
  do
#ifdef LATE
  :: timeout && len(c) == 0 && x == 2 -> goto seen
#else
  :: timeout && x == 2 -> break
#endif
  :: else
  od;
#ifdef LATE
seen:
  do
  :: len(c) == 1 -> break
  :: else
  od
#endif
}
