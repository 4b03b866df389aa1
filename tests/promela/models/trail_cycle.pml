/* An acceptance cycle with a never claim and processes of several priorities: the
   final state lists each process with its priority (A:3) and the claim with where it
   stands (test_final_state.py).  With a claim, SPIN counts the claim's moves as steps
   too, so only the step count differs.  NEVER_ONE keeps g at 0 (no cycle).
   variants: - | NEVER_ONE */
byte g;
chan c = [2] of { byte };
active proctype A() priority 3 { c!1; g == 1 }
active proctype B() priority 2 {
#ifndef NEVER_ONE
  g = 1;
#endif
  c!2; g == 5
}
active proctype C() priority 1 { c?_; g == 7 }
never { do :: g == 1 -> break :: else od; accept: do :: skip od }
