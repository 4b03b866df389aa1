/* A model with a never claim and ltl blocks: without -N pan checks the never claim
   (SPIN reads the ltl claims after the model), whatever the order in the file.
   variants: - | LATE_NEVER
   properties: never_0 bounded reaches */
byte x;
active proctype Up() {
  do
  :: x < 4 -> x++
  :: x == 4 -> x = 0
  od
}
ltl bounded { [] (x < 4) }
#ifndef LATE_NEVER
never {
  do
  :: x == 3 -> break
  :: else
  od
}
#endif
ltl reaches { [] <> (x == 0) }
#ifdef LATE_NEVER
never {
  do
  :: x == 3 -> break
  :: else
  od
}
#endif
