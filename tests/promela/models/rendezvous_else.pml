/* A rendezvous send counts as executable for 'else' only if it can happen.
   variants: - | PARTNER */
chan c = [0] of { byte };
byte took;
active proctype S() {
  if
  :: c!1
  :: else -> took = 2
  fi
}
#ifdef PARTNER
active proctype R() {
  c?took
}
#endif
