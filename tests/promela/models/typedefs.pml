/* typedef: structures, nested, with array fields and field initialisers, arrays of
   them, locals of them, and structures in messages (a structure field of a message is
   its fields in order).  WRONG expects a field the message did not carry; BOUNDS
   indexes past an array field (a run-time error).
   variants: - | WRONG | BOUNDS */
mtype = { idle, busy };
typedef Pos { byte x; byte y = 2 };
typedef Cell { Pos at; bit used[3]; mtype state = idle; short weight };
Cell grid[2];
Pos origin;
chan q = [2] of { byte, Cell };
chan p = [1] of { Pos };

active proctype Fill() {
  Cell c;
  byte k = 1;
  assert(c.at.y == 2 && c.state == idle && grid[1].at.y == 2 && grid[0].used[2] == 0);
  c.at.x = 5; c.used[2] = 1; c.state = busy; c.weight = -300;
  grid[k].used[k + 1] = 1;
  grid[k].at.x = c.at.x + 1;
#ifdef BOUNDS
  grid[k].used[k + 2] = 1;
#endif
  q!7,c;
  q!8,grid[k];
  origin.x = 3;
  p!origin
}

active proctype Take() {
  Cell got;
  Pos where;
  byte tag;
  q?tag,got;
  assert(tag == 7 && got.at.x == 5 && got.at.y == 2 && got.used[2] == 1 &&
         got.state == busy && got.weight == -300);
  q?tag,got;
  assert(tag == 8 && got.at.x == 6 && got.used[2] == 1 && got.used[1] == 0 &&
         got.state == idle && got.weight == 0);
  p?where;
#ifdef WRONG
  assert(where.y == 0)
#else
  assert(where.x == 3 && where.y == 2)
#endif
}
