/* Progress labels and non-progress cycles: a process that can loop without passing a
   progress label forever.
   variants: - | STARVE */
byte x;
active proctype Worker() {
  do
  :: x < 3 -> progress: x++
  :: x >= 3 -> x = 0
  od
}
#ifdef STARVE
bit idle;
active proctype Idler() {
  do
  :: idle = 1 - idle
  od
}
#endif
