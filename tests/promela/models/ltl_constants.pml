/* Formulas that are constant or nearly so: true and false as formulas and as
   predicates; "ltl { false }" is broken by the first state (the claim of its
   negation accepts every run), "[] true" by none.  EMPTY runs nothing but init.
   variants: - | EMPTY
   properties: always_false always_true eventually_false just_true tautology contradiction */
byte x;
init {
#ifndef EMPTY
  x = 1;
  x = 2
#else
  skip
#endif
}
ltl always_false { false }
ltl always_true { [] true }
ltl eventually_false { <> false }
ltl just_true { true }
ltl tautology { [] (x == 1 || x != 1) }
ltl contradiction { <> (x == 1 && x != 1) }
