/* Named mtype sets in message fields and in a proctype parameter, compared with
   constants of their own set; names of two sets share values (both sets count from
   1), so a value received as one set may equal a name of the other.  CROSS asserts a
   cross-set inequality that does not hold.
   variants: - | CROSS */
mtype:cmd = { start, stop, pause };
mtype:ans = { yes, no };
chan req = [2] of { mtype:cmd, byte };
chan rsp = [2] of { mtype:ans };
proctype Server(mtype:cmd first) {
  mtype:cmd c;
  byte n;
  req?c,n;
  assert(c == first);
  if
  :: c == start -> rsp!yes
  :: else -> rsp!no
  fi
}
init {
  mtype:ans a;
  run Server(pause);
  req!pause,1;
  rsp?a;
  assert(a == no && pause == 1 && no == 1);
#ifdef CROSS
  assert(a != pause)
#endif
}
