/* The visibility prefixes: "show" (displayed by SPIN's simulators), "local" (a global
   only one process uses) and "hidden" (kept out of SPIN's state vector, for scratch
   values).  None changes what a model does; a hidden variable used as scratch inside
   an atomic sequence gives the same verdict as a normal one.  WRONG asserts a wrong
   total.
   variants: - | WRONG */
show byte shown;
local byte mine;
hidden byte scratch;
byte total;
active [2] proctype Add() {
  atomic {
    scratch = total;
    scratch = scratch + _pid + 1;
    total = scratch
  };
  shown++
}
active proctype Own() {
  mine = 4;
  (shown == 2) ->
#ifdef WRONG
  assert(total == 4 && mine == 4)
#else
  assert(total == 3 && mine == 4)
#endif
}
