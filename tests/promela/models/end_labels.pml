/* Valid end states: end labels (end, end_wait, ...) and the end of a body.
   variants: - | NOEND */
chan q = [1] of { byte };
active proctype Server() {
  byte v;
#ifdef NOEND
  do
#else
end_wait:
  do
#endif
  :: q?v -> assert(v == 1)
  od
}
active proctype Client() {
  q!1
}
