/*
 * Peterson's algorithm, statement for statement model/examples/classic.py peterson().
 * -DTURN_FIRST: the turn is given away before the flag is raised (broken).
 * -DPROGRESS1: P1's critical section is a progress location (for -l).
 * -DP1_STARVES: never claim "P1 eventually never enters its critical section".
 * Option sets checked against SPIN (tests/promela/test_spin_agreement.py):
 * variants: - | TURN_FIRST | P1_STARVES | TURN_FIRST,P1_STARVES | PROGRESS1
 */
bool flag[2];
byte turn;
byte critical;

#ifdef TURN_FIRST
#define ENTRY(i, j)  turn = j; flag[i] = 1
#else
#define ENTRY(i, j)  flag[i] = 1; turn = j
#endif

active proctype P0() {
end_idle:
    ENTRY(0, 1);
    (flag[1] == 0 || turn == 0);
cs:
    critical++;
    assert(critical == 1);
    critical--;
    flag[0] = 0;
    goto end_idle
}

active proctype P1() {
end_idle:
    ENTRY(1, 0);
    (flag[0] == 0 || turn == 1);
#ifdef PROGRESS1
progress_cs:
#else
cs:
#endif
    critical++;
    assert(critical == 1);
    critical--;
    flag[1] = 0;
    goto end_idle
}

#ifdef P1_STARVES
never {
    do
    :: true
    :: !(P1[1]@cs) -> break
    od;
accept_forever:
    do
    :: !(P1[1]@cs)
    od
}
#endif
