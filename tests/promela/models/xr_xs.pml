/* xr/xs: a process asserts that it is the only one to receive from (xr) or send to
   (xs) a channel.  pan checks the assertion when partial-order reduction is on (its
   default; a -DNOREDUCE build does not check), on every attempt to use the channel,
   executable or not: this model is compared with SPIN's default verifier
   (oracle: optimised).  SECOND adds another sender; PEEK receives from the channel in
   a process that did not claim it.
   variants: - | SECOND | PEEK */
chan c = [2] of { byte };
byte got;
active proctype Producer() {
  xs c;
  c!1; c!2
}
active proctype Consumer() {
  xr c;
  byte v;
  c?v; got = got + v;
  c?v; got = got + v
}
#ifdef SECOND
active proctype Extra() { c!3 }
#endif
#ifdef PEEK
active proctype Peek() { byte v; c?v }
#endif
active proctype Check() {
  timeout -> assert(got == 3)
}
