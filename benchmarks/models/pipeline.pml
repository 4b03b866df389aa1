/* A bounded-buffer pipeline, for the scaling benchmark: a producer, N relay stages and
 * a consumer joined by channels of CAP slots.  The consumer checks that the values
 * arrive in the order they were sent. */

#ifndef N
#define N 2
#endif
#ifndef CAP
#define CAP 2
#endif

chan q[N + 1] = [CAP] of { byte };

active proctype producer() {
    byte v;
    do
    :: q[0]!v; v = (v + 1) % 4
    od
}

active [N] proctype stage() {
    byte x;
    do
    :: q[_pid - 1]?x; q[_pid]!x
    od
}

active proctype consumer() {
    byte x, want;
    do
    :: q[N]?x; assert(x == want); want = (want + 1) % 4
    od
}
