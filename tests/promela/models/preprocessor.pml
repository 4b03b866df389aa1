/* The C preprocessor: #include, object- and function-like macros with continued
   bodies, #if/#elif/#else with defined(), #undef, and -D options.
   variants: - | MODE=2 | MODE=3,EXTRA | WRONG */
#include "include/defs.h"
#ifndef MODE
#define MODE 1
#endif
#if MODE == 1 && defined(MAX)
#define START 0
#elif MODE == 2
#define START 1
#else
#define START 2
#endif
#undef MAX
#ifdef MAX
#error MAX should be gone
#endif
byte x = START;
active proctype P() {
  BUMP(x, 2);
  assert(x == START + 2);
#ifdef EXTRA
#warning extra checks on
  assert(x == 4);
#endif
#ifdef WRONG
  assert(x == 0)
#endif
}
