/* A run with one schedule only (every process has its own priority), ending in a
   deadlock: the final state that spin -t -p prints after the trail (test_final_state.py
   compares ours with SPIN's, line by line).  It shows structures (an array of them,
   a named mtype field, a short array field), a buffered channel with messages, one
   left empty, workers blocked at an end label, a process that has finished but keeps
   its pid, and init stuck at a condition.  FREE lets init finish (no error then).
   variants: - | FREE */
mtype = { req, ack };
mtype:phase = { idle, busy, done };
typedef Slot { byte id; mtype:phase ph = idle; short w[2] };
chan jobs = [2] of { mtype, byte };
chan spare = [2] of { bit };
Slot slots[2];
mtype last = ack;
int total = -5;
proctype Worker(byte n) {
  byte got;
  jobs?_,got;
  slots[n].id = got;
  slots[n].ph = busy;
  total = total + got;
end:
  spare?1
}
init priority 9 {
  jobs!req,7;
  jobs!ack,9;
  run Worker(0) priority 5;
  run Worker(1) priority 4;
  last = req;
#ifdef FREE
  (total == 11)
#else
  (total == 99)
#endif
}
active proctype Idle() priority 1 {
  slots[1].w[1] = -3;
  spare!0
}
