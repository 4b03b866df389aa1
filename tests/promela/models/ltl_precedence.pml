/* SPIN's precedence in ltl formulas: -> and <-> bind loosest and group from the left
   (a -> b -> c is (a -> b) -> c), then ||, then &&, then U V W; [] <> and ! bind
   tightest ([] a U b is ([] a) U b); | & == and the other operators of expressions
   bind tighter than U (a | b U c is (a | b) U c).  The flags change in an order set
   by ORDER.
   variants: - | ORDER=1 | ORDER=2
   properties: arrows ands bars always_until not_until bits equiv_chain */
#ifndef ORDER
#define ORDER 0
#endif
bool a, b, c;
active proctype Flags() {
  if
  :: ORDER == 0 -> a = 1; b = 1; c = 1; a = 0
  :: ORDER == 1 -> c = 1; b = 1; c = 0; a = 1
  :: ORDER == 2 -> b = 1; a = 1; b = 0; c = 1; a = 0
  fi
}
ltl arrows { [] (a -> b -> c) }
ltl ands { a && b U c || c }
ltl bars { [] (!a || b && c) }
ltl always_until { [] !a U b }
ltl not_until { !a U b }
ltl bits { a | b U c }
ltl equiv_chain { [] (a <-> b <-> c) }
