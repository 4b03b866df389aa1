/* A provided clause and statement merging.  Lazy may stop anywhere its clause turns
   false: after x = 1, when Stopper runs then, it is stuck at x = 2, outside its end
   label, an invalid end state.  Merged into one step, x = 1; x = 2 would go from the
   end label to the end, and the error would be hidden (test_reduce_language.py).
   LABEL puts an end label at x = 2 as well (no error then).
   variants: - | LABEL */
byte stop;
active proctype Lazy() provided (stop == 0) {
  byte x;
end:
  x = 1;
#ifdef LABEL
end2:
#endif
  x = 2
}
active proctype Stopper() {
  stop = 1
}
