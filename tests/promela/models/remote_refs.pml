/* Remote references: P[pid]@label (is process pid, a P, at that label?) and P[pid]:var
   (a local of another process, an array element too), in assertions, guards, atomic
   sequences, an assigned value in a d_step (SPIN refuses them in a d_step's
   conditions) and a never claim; a label at the head of a loop; P@label and P:var (the first
   running P); a pid nobody runs (not started yet, or terminated and removed) is at no
   label and its variables read 0, as in SPIN's verifier.
   variants: - | PEEK_CS | GONE | EARLY | FIRST | CLAIM_END | CLAIM_LOOP | CLAIM_LOOP,PEEK_CS */
byte x, stage;
bit looked;

active proctype A() {           /* pid 0 */
  byte loc = 1;
  byte arr[3];
start:
  loc = 2;
cs:
  x = 1;
  arr[2] = 7;
  x = 0;
loop:
  do
  :: stage < 2 -> stage++
  :: stage == 2 && looked -> break
  od;
finish:
  loc = 9
}

proctype W() {
  byte v = 5;
w: v == 5
}

active proctype B() {           /* pid 1; W gets pid 6 */
  byte got, n;
  assert(!(A[0]@cs) || A[0]:loc == 2);
  assert(A[0]:arr[2] == 0 || A[0]:arr[2] == 7);
  assert(!(A[0]@start) || A[0]:loc == 1);
  atomic { A[0]@loop -> got = A[0]:loc };
  d_step { got = got + A[0]:arr[1 + 1]; looked = 1 };   /* a value: allowed here */
  assert(got == 9);
#ifdef PEEK_CS
  assert(!(A[0]@cs));           /* A has left cs by now: holds */
#endif
#ifdef EARLY
  assert(W[6]:v == 5);          /* W is not running yet: reads 0 */
#endif
  assert(!(W[6]@w) && W[6]:v == 0);
  n = _nr_pr;
  run W();
  _nr_pr == n;                  /* W has terminated and been removed */
  assert(!(W[6]@w));
#ifdef GONE
  assert(W[6]:v == 5)           /* read 0: violated */
#endif
}

active [2] proctype C() {       /* pids 2 and 3 */
  byte me = _pid;
end_c:
  me == 0
}

active proctype D() {           /* pid 4 */
  C[2]@end_c && C[3]@end_c;
  assert(C:me == 2 && C@end_c);
  assert(C[3]:me == 3);
#ifdef FIRST
  assert(C:me == 3)             /* the first C is pid 2: violated */
#endif
}

active proctype S() {           /* pid 5 */
end_s:
  do
  :: A[0]@finish -> x = 7
  :: x < 7 -> skip
  od
}

#if defined(CLAIM_END)
never {                         /* A finishes after B has checked its loop: reached */
  do
  :: A[0]@finish && B[1]:got == 9 -> break
  :: else
  od
}
#elif defined(CLAIM_LOOP)
never {                         /* A stays in its loop forever: only if unfair */
  do
  :: true
  :: A[0]@loop -> break
  od;
accept_loop:
  do
  :: A[0]@loop
  od
}
#endif
