/*
 * Small fairness cases, each mirrored in tests/model/test_fairness.py.
 * -DHOG: two processes share a test-and-set lock; P1 can starve even under weak
 *        fairness, because it is blocked whenever P0 holds the lock.
 * -DBLOCKED: P1 waits for a condition that never holds; a cycle of P0 alone is fair.
 * -DATOMIC: P0 loops through an atomic sequence; P1, always enabled, never moves.
 * -DSTUCK: P0 sets x and then waits forever at an accept (and non-progress) label:
 *         -a reports the dead end as an acceptance cycle ("accept stutter"), -l finds
 *         no non-progress cycle (SPIN does not extend finite runs for -l).
 * Never claim (not with STUCK): "P1 never gets its work done" (done stays 0 forever).
 * Option sets checked against SPIN (tests/promela/test_spin_agreement.py):
 * variants: HOG | BLOCKED | ATOMIC | STUCK
 */
byte x;
byte lock;
byte done;

#if defined(HOG)
active proctype P0() {
end: do
     :: atomic { lock == 0 -> lock = 1 };
        lock = 0
     od
}
active proctype P1() {
end: atomic { lock == 0 -> lock = 1 };
     done = 1;
     lock = 0
}
#elif defined(BLOCKED)
active proctype P0() { end: do :: x = 1 - x od }
active proctype P1() { end: (x == 5); done = 1 }
#elif defined(ATOMIC)
active proctype P0() { end: do :: atomic { x = 1; x = 0 } od }
active proctype P1() { done = 1 }
#elif defined(STUCK)
active proctype P0() { x = 1; accept_stuck: (x == 5) }
#endif

#ifndef STUCK
never {
    do
    :: true
    :: done == 0 -> break
    od;
accept_forever:
    do
    :: done == 0
    od
}
#endif
