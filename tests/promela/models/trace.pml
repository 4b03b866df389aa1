/* trace and notrace: an automaton over the sends and receives on the channels it names
   (only those).  With "trace", each such event must match a step of the trace from its
   current state ("no matching event" otherwise); once the trace has reached its end
   nothing more is checked.  With "notrace", a sequence that matches the whole notrace
   is an error ("all events matched"); an event that does not match ends the check.
   Messages are matched field by field, "_" matching anything.  SWAP sends in another
   order; NOT forbids that order; LOOSE also sends on a channel the trace does not
   name (not checked).
   variants: - | SWAP | NOT | NOT,SWAP | LOOSE */
chan a = [2] of { byte };
chan b = [2] of { byte };
chan other = [1] of { byte };
active proctype Send() {
#ifdef SWAP
  a!1; a!2; b!3
#else
  a!1; b!3; a!2
#endif
  ;
#ifdef LOOSE
  other!9
#endif
}
active proctype Recv() {
  byte v;
  a?v; b?v; a?v
}
#ifdef NOT
notrace {         /* a!1, a!2, b!3 in this order must not happen */
  a!1; a!2; b!3
}
#else
trace {           /* sends on a and b, receives on b (not on a) */
  a!1; b!3;
  if
  :: b?3; a!2
  :: a!2; b?_
  fi
}
#endif
