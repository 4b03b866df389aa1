/* Buffered channels: FIFO order, full/empty/len, blocking on a full channel.
   variants: - | SMALL */
#ifdef SMALL
#define CAP 1
#else
#define CAP 3
#endif
chan q = [CAP] of { byte, int };
byte got;
active proctype Producer() {
  byte k = 1;
  do
  :: k <= 3 -> q!k,-k; k++
  :: k > 3 -> break
  od
}
active proctype Consumer() {
  byte v; int w;
  end: do
  :: q?v,w -> assert(w == -v); got++; assert(got == v)
  od
}
active proctype Watcher() {
  (full(q) || got == 3);
  assert(len(q) <= CAP && (nfull(q) || empty(q) || len(q) == CAP));
#ifdef SMALL
  assert(got < 3)
#endif
}
