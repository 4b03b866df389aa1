/* mtype names: values are numbered from the end of each declaration, as in SPIN.
   variants: - | WRONG */
mtype = { red, green, blue };
mtype = { other };
mtype m = green;
active proctype M() {
  assert(red == 3 && green == 2 && blue == 1 && other == 4);
  assert(m == green && m != blue && blue < red);
  m = other;
  printm(m);
#ifdef WRONG
  assert(m == red)
#endif
}
