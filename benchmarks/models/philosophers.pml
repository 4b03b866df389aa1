/* Dining philosophers, for the scaling benchmark: N philosophers round a table, a fork
 * between each two.  Each takes its lower-numbered fork first, which breaks the cycle
 * of waiting: no deadlock (an invalid end state), and neighbours never eat at once. */

#ifndef N
#define N 4
#endif

bool fork[N];
bool eating[N];

active [N] proctype phil() {
    byte first, second;
    if
    :: _pid < N - 1 -> first = _pid; second = _pid + 1
    :: else -> first = 0; second = _pid
    fi;
    do
    :: atomic { !fork[first] -> fork[first] = true };
       atomic { !fork[second] -> fork[second] = true };
       eating[_pid] = true;
       assert(!eating[(_pid + 1) % N] && !eating[(_pid + N - 1) % N]);
       eating[_pid] = false;
       fork[second] = false;
       fork[first] = false
    od
}
