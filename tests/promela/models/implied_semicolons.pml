/* SPIN 6 treats a line end as a statement separator after a statement, and inserts
   one after '}' and 'else'; parentheses span lines.
   variants: - | WRONG */
byte x, y
active proctype P() {
  x = 1
  y = x +
      2
  if
  :: x == 1
     -> y++
  :: else x = 9
  fi
  atomic { x++ } y++
  assert(x == 2 && y == (
     5))
#ifdef WRONG
  assert(x == 1)
#endif
}
