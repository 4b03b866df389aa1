/* Nested temporal operators: response within a scope, persistence, recurrence of two
   events (two acceptance conditions), until under always.  A round-robin of three
   phases; SKIP_B can jump from a to c, PARK can stay in c forever.
   variants: - | SKIP_B | PARK
   properties: response scoped persistence both_recur chain */
mtype = { a, b, c };
mtype phase = a;
active proctype Cycle() {
  do
  :: phase == a -> phase = b
#ifdef SKIP_B
  :: phase == a -> phase = c
#endif
  :: phase == b -> phase = c
  :: phase == c -> phase = a
#ifdef PARK
  :: phase == c -> end: do :: phase == c -> skip od
#endif
  od
}
ltl response { [] (phase == a -> <> (phase == c)) }
ltl scoped { [] (phase == a -> (phase != c U phase == b)) }
ltl persistence { <> [] (phase == c) }
ltl both_recur { [] <> (phase == a) && [] <> (phase == b) }
#define b_until_c ((phase == b) U (phase == c))
ltl chain { [] (phase == b -> b_until_c) }
