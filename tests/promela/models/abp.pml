/* Alternating bit protocol over a channel that may lose messages; the receiver must
   see every datum once and in order.  NOBIT ignores the bit.
   variants: - | NOBIT */
mtype = { msg, ack };
chan to_rcv = [1] of { mtype, byte, bit };
chan to_snd = [1] of { mtype, bit };
byte expected;
active proctype Sender() {
  byte data; bit b;
  do
  :: data < 3 ->
     if
     :: to_rcv!msg,data,b
     :: skip                  /* lost */
     fi;
     if
     :: to_snd?ack,eval(b) -> b = 1 - b; data++
     :: timeout
     fi
  :: data == 3 -> break
  od
}
active proctype Receiver() {
  byte d; bit b, want;
end:
  do
  :: to_rcv?msg,d,b ->
#ifndef NOBIT
     if
     :: b == want -> assert(d == expected); expected++; want = 1 - want
     :: else
     fi;
#else
     assert(d == expected); expected++;
#endif
     to_snd!ack,b
  od
}
