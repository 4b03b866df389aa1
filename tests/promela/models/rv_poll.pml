/* Polling a rendezvous channel is an error in pan wherever the statement is tried: a
   copy receive c?<x> (here with a sender ready to hand its message over) and a poll
   c?[1] (POLL).  GUARDED: the poll sits behind a guard that never holds, so it is
   never tried, and only the invalid end state is left; BUFFERED: the copy receive from
   a buffered channel is no error.
   variants: - | POLL | GUARDED | BUFFERED */
#ifdef BUFFERED
chan c = [1] of { byte };
#else
chan c = [0] of { byte };
#endif
byte g;
active proctype Sender() { c!1 }
active proctype Reader() {
  byte x;
#if defined(POLL)
  if
  :: c?[1] -> skip
  :: else -> skip
  fi
#elif defined(GUARDED)
  g == 1;
  c?[1]
#else
  c?<x>
#endif
}
