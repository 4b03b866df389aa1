/* A never claim written with labels, goto and else (the shape LTL translators emit):
   [] (request -> <> grant), checked on a server that may forget a request.
   variants: - | FORGET */
bool request, grant;
active proctype Client() {
  do
  :: !request -> request = true
  :: grant -> request = false; grant = false
  od
}
active proctype Server() {
  do
  :: request && !grant ->
#ifdef FORGET
     if
     :: grant = true
     :: skip
     fi
#else
     grant = true
#endif
  od
}
never {    /* <> (request && [] !grant) */
T0_init:
  if
  :: request && !grant -> goto accept_S1
  :: else -> goto T0_init
  fi;
accept_S1:
  if
  :: !grant -> goto accept_S1
  fi
}
