/* Structures declared as locals after the first statement: SPIN sets their fields
   when the process starts (a late declaration is a step that does nothing), so the
   field initialisers hold wherever the declaration stands; a plain variable declared
   late is set where it stands.  WRONG expects a late variable to keep an earlier
   value.
   variants: - | WRONG */
typedef Box { byte w = 5; byte h[2] };
byte seen;
active proctype P() {
  byte first = 1;
  seen = first;
  Box b;
  byte late = 7;
  assert(b.w == 5 && b.h[1] == 0);
  b.h[1] = late;
  late = 3;
  byte later;
#ifdef WRONG
  assert(later == 3)
#else
  assert(later == 0 && b.h[1] == 7 && late == 3)
#endif
}
