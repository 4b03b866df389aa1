/* xr/xs and the partial-order reduction: Consumer's receives from the channel it
   claims with xr count as local while the channel holds a message, Producer's sends
   to the channel it claims with xs while there is room (SPIN's conditional safety;
   promela/exclusive.py), so the search expands them alone and stores fewer states.
   A misdeclared claim is still reported, as pan reports it with its reduction on
   (oracle: optimised): PEEK adds a process that also receives (a copy) from the channel,
   EXTRA one that also sends to it, late in its run.
   variants: - | PEEK | EXTRA */
chan c = [2] of { byte };
byte total;
active proctype Producer() {
  xs c;
  c!1;
  c!2;
  c!3
}
active proctype Consumer() {
  xr c;
  byte a, b, d;
  c?a;
  c?b;
  c?d;
  total = a + b + d
}
active proctype Check() {
  byte w;
#ifdef PEEK
end:
  c?<w>
#elif defined(EXTRA)
  w = 1;
  c!w
#else
  w = 1
#endif
}
