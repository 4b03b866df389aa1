/* '_' is SPIN's write-only scratch variable: it may be assigned (the value is thrown
   away) and received into, never read.  BUG asserts on a value that was assigned to
   '_' and so never kept.
   variants: - | BUG */
chan c = [1] of { byte };
byte a = 3, b;
init {
  _ = a + 1;
  c!a;
  c?_;
#ifdef BUG
  assert(b == 4)
#else
  assert(b == 0)
#endif
}
