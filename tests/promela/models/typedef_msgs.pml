/* Structures through a rendezvous channel and a buffered one, nested structures and
   an array of structures as locals.  A structure in a message stands for its fields
   in order, so the receiver may also take the fields one by one (SPLIT).  (SPIN
   refuses a message whose structure holds an array of structures.)  WRONG expects a
   field the message did not carry.
   variants: - | SPLIT | WRONG */
typedef Pt { byte x; byte y };
typedef Path { Pt from; Pt to; bit closed };
chan rv = [0] of { Path };
chan buf = [1] of { Pt, byte };
active proctype Maker() {
  Path p;
  Pt q[2];
  p.from.x = 1; p.from.y = 2; p.to.x = 3; p.to.y = 4; p.closed = 1;
  rv!p;
  q[1].x = 9;
  buf!q[1],7
}
active proctype Taker() {
#ifdef SPLIT
  byte a, b, c, d;
  bit e;
  rv?a,b,c,d,e;
  assert(a == 1 && b == 2 && c == 3 && d == 4 && e == 1);
#else
  Path got;
  rv?got;
  assert(got.from.x == 1 && got.to.y == 4 && got.closed);
#endif
  Pt r;
  byte tag;
  buf?r,tag;
#ifdef WRONG
  assert(r.y == 9)
#else
  assert(r.x == 9 && r.y == 0 && tag == 7)
#endif
}
