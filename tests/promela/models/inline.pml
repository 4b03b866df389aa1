/* inline: textual expansion with arguments, nested inlines, locals declared inside.
   variants: - | WRONG */
byte total;
byte arr[3];
inline add(v, n) {
  v = v + n
}
inline fill(k) {
  byte j;
  j = 0;
  do
  :: j < k -> arr[j] = j; add(total, j); j++
  :: j == k -> break
  od
}
active proctype I() {
  fill(3);
  assert(total == 3 && arr[2] == 2);
#ifdef WRONG
  add(total, 1);
  assert(total == 3)
#endif
}
