/* Release: a token is held until (and including the moment) it is handed over.
   variants: - | EARLY | NEVER
   properties: handover keyword dual */
bool held = true, handed;
active proctype Owner() {
#ifdef EARLY
  held = false;
  handed = true;
#else
  handed = true;
#ifndef NEVER
  held = false;
#endif
#endif
  handed = false
}
ltl handover { handed V held }
ltl keyword { handed release held }
ltl dual { !(!handed U !held) }
