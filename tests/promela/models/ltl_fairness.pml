/* A request is served eventually only if the server gets to run: without weak
   fairness the client can spin forever.  GREEDY makes the server ignore requests.
   variants: - | GREEDY
   properties: served requested */
bool request, served;
active proctype Client() {
  do
  :: !request -> request = true
  :: else -> skip
  od
}
active proctype Server() {
  do
  :: request ->
#ifndef GREEDY
     served = true;
#endif
     request = false
  od
}
ltl served { [] (request -> <> served) }
ltl requested { [] <> request }
