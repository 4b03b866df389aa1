/* if/fi with else, nested options, do/od with break, goto and labels, skip.
   variants: - | WRONG */
byte x, y, path;
active proctype C() {
  if
  :: x == 0 -> path = 1
  :: x == 1 -> path = 2
  :: else -> path = 3
  fi;
  do
  :: y < 5 ->
     if
     :: y % 2 == 0 -> y++
     :: else -> y = y + 1; skip
     fi
  :: y >= 5 -> break
  od;
again:
  x++;
  if
  :: x < 3 -> goto again
  :: x >= 3
  fi;
  if
  :: goto done
  :: true -> x = 7
  fi;
  assert(x == 7);
done:
  assert(path == 1 && y == 5);
#ifdef WRONG
  assert(x == 3)
#endif
}
