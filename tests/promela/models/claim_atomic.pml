/* Never claims with atomic sequences, as "spin -f" writes them for safety formulas:
   "atomic { !p -> assert(!(!p)) }" checks p on every state the claim moves in (the
   system does not move inside the claim's atomic sequence), where a bare "!p ->
   assert(p)" would look one state later.  BAD breaks p once; UNTIL is the claim of
   "p U q"; BLOCK has an atomic sequence that blocks half way (that claim move is
   simply not possible).
   variants: - | BAD | UNTIL | UNTIL,BAD | BLOCK | BLOCK,BAD */
bool p = 1, q;
byte n;
active proctype Run() {
  do
  :: n < 4 -> n++;
#ifdef BAD
     if
     :: n == 2 -> p = 0; p = 1
     :: else
     fi
#endif
  :: n == 4 -> q = 1; break
  od
}
#if defined(UNTIL)
never {    /* p U q */
T0_init:
  do
  :: atomic { q -> assert(!q) }
  :: p -> goto T0_init
  od;
accept_all:
  skip
}
#elif defined(BLOCK)
never {
  do
  :: atomic { n == 3 -> q }            /* blocks: n == 3 never holds together with q */
  :: atomic { !p -> assert(p) }
  :: else
  od
}
#else
never {    /* !([] p) */
T0_init:
  do
  :: atomic { !p -> assert(!(!p)) }
  :: (1) -> goto T0_init
  od;
accept_all:
  skip
}
#endif
