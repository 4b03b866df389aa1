/* Named mtype sets (mtype:name = { ... }): each set numbers its names from its end,
   as the plain set does, so names of different sets can have the same value; a
   variable, a parameter or a message field can be declared with a set.  SAME compares
   names of two sets that share a value; PARAM passes one to a proctype.
   variants: - | SAME | PARAM */
mtype = { ok, fail };
mtype:colour = { red, green, blue };
mtype:shape = { round, square };
mtype:colour paint = green;
mtype:shape form;
chan c = [1] of { mtype:colour, mtype:shape };

proctype Use(mtype:colour col) {
  assert(col == blue)
}

active proctype P() {
  mtype status = ok;
  mtype:colour got;
  form = square;
  c!paint,form;
  c?got,_;
  assert(got == green && status == ok && red == 3 && round == 2 && ok == 2);
#ifdef SAME
  assert(square != blue);     /* both are 1 */
#endif
#ifdef PARAM
  run Use(red)
#endif
}
