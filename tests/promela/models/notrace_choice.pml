/* notrace: the sends on a and b must not follow the sequence of the notrace (a!0 then
   either b!1 or b!2).  Two senders race; in one order the forbidden sequence happens
   (violated).  APART makes the second sender send a 3 on b instead (passes).
   variants: - | APART */
chan a = [2] of { byte };
chan b = [2] of { byte };
active proctype X() { a!0 }
active proctype Y() {
#ifdef APART
  b!3
#else
  b!2
#endif
}
notrace {
  a!0;
  if
  :: b!1
  :: b!2
  fi
}
