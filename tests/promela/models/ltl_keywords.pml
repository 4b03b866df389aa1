/* The keyword forms of SPIN's ltl operators, against their symbols: a light goes
   green, yellow, red and round again; STUCK leaves it red.
   variants: - | STUCK
   properties: symbols words implies_sym implies_word equiv_sym equiv_word */
mtype = { green, yellow, red };
mtype light = red;
bool go;
active proctype Light() {
  do
  :: light == red -> light = green; go = true
  :: light == green -> light = yellow; go = false
  :: light == yellow -> light = red
#ifdef STUCK
  :: light == red -> end: false
#endif
  od
}
ltl symbols { [] <> (light == green) }
ltl words { always eventually (light == green) }
ltl implies_sym { [] (light == yellow -> <> (light == red)) }
ltl implies_word { always ((light == yellow) implies eventually (light == red)) }
ltl equiv_sym { [] (go <-> light == green) }
ltl equiv_word { always (go equivalent (light == green)) }
