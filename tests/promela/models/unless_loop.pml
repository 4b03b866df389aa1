/* unless around a loop that counts, with the escape watching a flag another process
   raises; the escape's first statement is tried before each step of the loop, also
   inside the atomic sequence in its body.  The escape may win at any point after the
   flag goes up, so done holds any value from 2 to 6 then (GOTO leaves the loop by a
   goto instead of break).  EXACT asserts one value only (violated).
   variants: - | GOTO | EXACT */
byte done, stop;
bool escaped;
active proctype Loop() {
  {
    do
    :: done < 6 -> atomic { done++; done++ }
#ifdef GOTO
    :: done == 6 -> goto out
#else
    :: done == 6 -> break
#endif
    od;
out:
    skip
  } unless { stop -> escaped = true };
#ifdef EXACT
  assert(done == 6)
#else
  assert(escaped || done == 6);
  assert(done % 2 == 0 && done <= 6)
#endif
}
active proctype Stopper() { done >= 2 -> stop = 1 }
