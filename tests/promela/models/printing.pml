/* printf and printm are statements that are always executable and change nothing.
   variants: - | WRONG */
mtype = { hello, world };
byte n = 3;
active proctype P() {
  printf("n=%d, %d%%\n", n, n * 2);
  printm(hello);
  printf("\n");
#ifdef WRONG
  assert(n == 4)
#endif
}
