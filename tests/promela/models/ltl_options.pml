/* A model without ltl blocks, checked only with formulas given by --ltl, including
   the keyword forms, W and V, and remote references.  SLOW lets the consumer wait
   for the producer to finish first.
   variants: - | SLOW
   ltl-option: [] (produced >= consumed)
   ltl-option: <> (consumed == 3)
   ltl-option: (consumed == 0) W (produced > 0)
   ltl-option: (produced == 3) V (consumed < 3)
   ltl-option: always (Consumer@take implies produced > consumed)
   ltl-option: eventually always (consumed == produced) */
byte produced, consumed;
active proctype Producer() {
  do
  :: produced < 3 -> produced++
  :: produced == 3 -> break
  od
}
active proctype Consumer() {
#ifdef SLOW
  produced == 3;
#endif
  do
  :: consumed < produced ->
take:
     consumed++
  :: consumed == 3 -> break
  od
}
