/*
 * The block-graph reader/writer lock, statement for statement the Python model in
 * model/examples/graph_lock.py (2 readers, 1 write section; one Promela transition per
 * Python step, d_step where a Python step does several things at once).
 *
 * Variants: -DKICK_COND (graph-rdunlock-kick-conditional), -DNO_RECOUNT
 * (wrlock-no-recount), -DDROP_COUNT (unregister-drops-count), -DNO_RECHECK
 * (no-recheck-under-mutex).
 * The readers' ``ctx`` locals are the array ``flip[2]`` here (d_step cannot read
 * another process's locals): reader r runs in iothread flip[r] XOR (r % 2), so that
 * every entry starts at 0 (reader 1 starts in B); the states correspond one to one.
 * Checks: -DINVARIANTS (exclusion and count conservation, as a safety claim),
 * -DWRITER_STARVES or -DREADER0_STARVES (never claims for pan -a -f).
 * Option sets checked against SPIN (tests/promela/test_spin_agreement.py):
 * variants: - | KICK_COND | NO_RECOUNT | DROP_COUNT | NO_RECHECK | INVARIANTS | KICK_COND,INVARIANTS | NO_RECOUNT,INVARIANTS | DROP_COUNT,INVARIANTS | NO_RECHECK,INVARIANTS | WRITER_STARVES | KICK_COND,WRITER_STARVES | NO_RECOUNT,WRITER_STARVES | DROP_COUNT,WRITER_STARVES | NO_RECHECK,WRITER_STARVES | READER0_STARVES | KICK_COND,READER0_STARVES | NO_RECOUNT,READER0_STARVES | DROP_COUNT,READER0_STARVES | NO_RECHECK,READER0_STARVES
 */
byte has_writer;
short count[2];
short orphaned;
bit alive_b = 1;
byte mutex;
bit queued[2];
byte num_waiters;
bit kick;
bit drained;
byte rounds = 1;
bit flip[2];

#define TOTAL (orphaned + count[0] + count[1])
#define KICK  kick = (num_waiters > 0 -> 1 : kick)
/* a label may not sit on a d_step that a goto reaches: wrap such a d_step in an if */
#define STEP(body) if :: d_step { body } fi

active proctype writer() {
end_idle:
    STEP(rounds > 0; drained = 1);
wrlock:
    has_writer = 0;
wrlock1:
    num_waiters++;
cond:
    if
    :: (mutex == 0 && TOTAL >= 1) -> goto poll
    :: (mutex == 0 && TOTAL == 0)
    fi;
waited:
    num_waiters--;
waited1:
#ifdef NO_RECOUNT
    has_writer = 1; goto locked;
#else
    has_writer = 1;
#endif
recount:
    if
    :: (mutex == 0 && TOTAL == 0) -> goto locked
    :: (mutex == 0 && TOTAL >= 1) -> goto wrlock
    fi;
poll:
    STEP(kick; kick = 0); goto cond;
locked:
    STEP(mutex == 0; has_writer = 0; queued[0] = 0; queued[1] = 0);
    d_step { kick = 0; drained = 0; rounds-- }; goto end_idle
}

#define me (_pid - 1)
#define CTX (flip[me] ^ (me % 2))

active [2] proctype reader() {
end_idle:
    (!drained);
rdlock:
    count[CTX]++;
check:
    if
    :: (!has_writer) -> goto cs
    :: (has_writer)
    fi;
slowpath:
    d_step { mutex == 0; mutex = _pid };
slow:
#ifdef NO_RECHECK
    count[CTX]--;
#else
    if
    :: d_step { !has_writer; mutex = 0 }; goto cs
    :: d_step { has_writer; count[CTX]-- }
    fi;
#endif
undone:
    KICK;
undone1:
    d_step { queued[me] = 1; mutex = 0 };
parked:
    (!queued[me]); goto rdlock;
cs:
    if
    :: d_step { alive_b; flip[me] = 1 - flip[me] }; goto moved
    :: count[CTX]--; goto unlocked
    fi;
moved:
    count[CTX]--;
unlocked:
#ifdef KICK_COND
    kick = (has_writer && num_waiters > 0 -> 1 : kick);
#else
    KICK;
#endif
    goto end_idle
}

active proctype iothreadB() {
    d_step {
        flip[0] == 0 && flip[1] == 1;
#ifndef DROP_COUNT
        orphaned = orphaned + count[1];
#endif
        count[1] = 0;
        alive_b = 0
    };
end_gone:
    false
}

#define INSIDE(p)  (reader[p]@cs || reader[p]@moved)
#define COUNTED(p) (INSIDE(p) || reader[p]@check || reader[p]@slowpath || reader[p]@slow)
#define EXCLUSION  (!(writer[0]@locked && (INSIDE(1) || INSIDE(2))))
#define CONSERVED  (TOTAL == COUNTED(1) + COUNTED(2))
#define WRITER_WAITS (writer[0]@wrlock || writer[0]@wrlock1 || writer[0]@cond || \
                      writer[0]@waited || writer[0]@waited1 || writer[0]@recount || \
                      writer[0]@poll)
#define READER0_TRIES (reader[1]@rdlock || reader[1]@check || reader[1]@slowpath || \
                       reader[1]@slow || reader[1]@undone || reader[1]@undone1 || \
                       reader[1]@parked)

#if defined(INVARIANTS)
never {
    do
    :: !(EXCLUSION && CONSERVED) -> break
    :: else
    od
}
#elif defined(WRITER_STARVES) || defined(READER0_STARVES)
#ifdef WRITER_STARVES
#define BAD WRITER_WAITS
#else
#define BAD READER0_TRIES
#endif
never {
    do
    :: true
    :: BAD -> break
    od;
accept_forever:
    do
    :: BAD
    od
}
#endif
