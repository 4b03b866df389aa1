/* Receive variants: constants and eval() select messages, ?? takes the first matching
   one, ?<...> copies without removing, ?[...] tests, _ discards.
   variants: - | WRONG */
chan q = [4] of { byte, byte };
byte x, y, key = 7;
active proctype R() {
  q!1,10; q!7,70; q!2,20; q!7,71;
  q?[1,_] && nempty(q);
  assert(!q?[7,_]);
  q??eval(key),y; assert(y == 70 && len(q) == 3);
  q??<2,x>; assert(x == 20 && len(q) == 3);
  q?<x,y>; assert(x == 1 && y == 10);
  q?1,_;
  q??7,y; assert(y == 71);
  q?x,y; assert(x == 2 && y == 20 && empty(q));
#ifdef WRONG
  q?x,y
#endif
}
