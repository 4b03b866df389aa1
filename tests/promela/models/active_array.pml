/* active [N] proctype: N instances with pids 0..N-1, in declaration order.
   variants: - | WRONG */
byte hits[3];
active [2] proctype Twin() {
  hits[_pid]++
}
active proctype Last() {
  hits[2] = _pid;
  (hits[0] + hits[1]) == 2 -> assert(hits[2] == 2);
#ifdef WRONG
  assert(_nr_pr == 3)
#endif
}
