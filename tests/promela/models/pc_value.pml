/* pc_value(pid): the state number SPIN gives the statement process pid is at (the
   same numbers spin -t -p prints).  The numbers below are SPIN's for this file: its
   elements are numbered in the order SPIN reads them, an if or do after its options,
   an atomic sequence after its body.  EARLY asserts before Walker has moved; CLAIM ends
   the never claim when Walker reaches its loop's second statement; END waits for
   Walker's end (it stays there: Look is still running) and asserts a wrong value.
   variants: - | EARLY | CLAIM | END */
byte x;
active proctype Walker() {           /* pid 0 */
  x = 1;                             /* state 1 */
  if                                 /* 6 (and 7 after fi) */
  :: x == 1 -> x = 2                 /* states 2, 3 */
  :: else -> skip                    /* states 4, 5 */
  fi;
  do                                 /* 12 (13 and 14 after od) */
  :: x < 4 -> x++                    /* states 8, 9 */
  :: x == 4 -> break                 /* states 10, 11 */
  od;
  atomic { x = 5; x = 6 }            /* 15, 16; the atomic sequence is 17 */
}                                    /* end: 18 */
active proctype Look() {             /* pid 1 */
  assert(pc_value(0) == 1 || pc_value(0) == 6 || pc_value(0) == 3 ||
         pc_value(0) == 12 || pc_value(0) == 9 || pc_value(0) == 17 ||
         pc_value(0) == 16 || pc_value(0) == 18 || pc_value(0) == 0);
#ifdef EARLY
  assert(pc_value(0) != 1);
#endif
  assert(pc_value(5) == 0);          /* nobody has pid 5 */
#ifdef END
  (pc_value(0) == 18) -> assert(x == 5)    /* Walker at its end: x is 6 */
#endif
}
#ifdef CLAIM
never {
  do
  :: pc_value(0) == 9 -> break
  :: else
  od
}
#endif
