/* provided clauses with channel tests and _pid: a consumer may only move while its
   queue has something, a producer only while the queue has room for two more.  The
   queue never holds more than two messages then.  LOOSE drops the producer's clause,
   so the queue may fill up to its capacity (the bound of three still holds); OVER
   asserts that it never holds two (violated).
   variants: - | LOOSE | OVER */
chan q = [3] of { byte };
byte most;
#ifdef LOOSE
#define ROOM 1
#else
#define ROOM (len(q) <= 1)
#endif
proctype Producer() provided (ROOM) {
  byte k;
  do
  :: k < 4 -> q!k; k++
  :: k == 4 -> break
  od
}
proctype Consumer() provided (nempty(q) && _pid == 2) {
  byte v;
end:
  do
  :: q?v
  :: len(q) > most -> most = len(q)     /* the most it has seen in the queue */
  od
}
init {
  atomic { run Producer(); run Consumer() };
#ifdef OVER
  assert(most <= 1)
#elif defined(LOOSE)
  assert(most <= 3)
#else
  assert(most <= 2)
#endif
}
