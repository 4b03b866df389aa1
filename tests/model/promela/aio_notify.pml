/*
 * The aio_notify wake-up protocol, statement for statement the Python model in
 * model/examples/aio_notify.py (one Promela transition per Python step; d_step where
 * a Python step does several things at once).  SPIN is the oracle for our checker:
 * tests/model compares state counts and verdicts.
 *
 * Variants: -DCLEARED_LATE, -DDISPATCHING, -DSKIPS_SET, -DBEFORE_EVENT.
 * Properties: -DLOST_WAKEUP or -DBUSY_LOOP (a never claim), none for safety.
 * Option sets checked against SPIN (tests/promela/test_spin_agreement.py):
 * variants: - | CLEARED_LATE | DISPATCHING | SKIPS_SET | BEFORE_EVENT | LOST_WAKEUP | CLEARED_LATE,LOST_WAKEUP | DISPATCHING,LOST_WAKEUP | SKIPS_SET,LOST_WAKEUP | BEFORE_EVENT,LOST_WAKEUP | BUSY_LOOP | CLEARED_LATE,BUSY_LOOP | DISPATCHING,BUSY_LOOP | SKIPS_SET,BUSY_LOOP | BEFORE_EVENT,BUSY_LOOP
 */
byte notify_me;
bit notified;
bit event;
bit req;
#ifdef DISPATCHING
bit dispatching;
#endif

#ifdef DISPATCHING
#define SET_DISPATCHING(v)  dispatching = v;
#else
#define SET_DISPATCHING(v)
#endif

#ifdef CLEARED_LATE
#define ACCEPT          notified = 0;
#define LATE_CLEAR      event = 0;
#else
#define ACCEPT          d_step { old = notified; notified = 0 }; \
                        d_step { if :: old -> event = 0 :: else -> skip fi };
#define LATE_CLEAR
#endif

#define POLL_BODY \
    notify_me = notify_me + 2; \
    d_step { if :: req -> block = 0 :: else -> block = 1 fi }; \
end_wait: \
    (!block || event); \
    notify_me = notify_me - 2; \
    SET_DISPATCHING(1) \
    ACCEPT \
    req = 0; \
    LATE_CLEAR \
    SET_DISPATCHING(0) \
    goto end_poll

active proctype waiter() {
    bit block; bit old;
end_poll:
    SET_DISPATCHING(0)
    POLL_BODY
}

active proctype helper() {
    bit block; bit old;
end_poll:
    if
    :: goto end_gone
    :: SET_DISPATCHING(0) POLL_BODY
    fi;
end_gone:
    false
}

#ifdef DISPATCHING
#define NOTIFY_COND  dispatching
#else
#define NOTIFY_COND  notify_me
#endif

active proctype notifier() {
    bit was;
end_idle:
    if
    :: goto end_stopped
    :: d_step { was = req; req = 1 };
       if
       :: was -> goto end_idle
#ifdef DISPATCHING
       :: !was && dispatching -> goto end_idle
       :: !was && !dispatching ->
#else
       :: !was && !notify_me -> goto end_idle
       :: !was && notify_me ->
#endif
#if defined(BEFORE_EVENT)
          notified = 1; event = 1;
#elif defined(SKIPS_SET)
          d_step { if :: !notified -> event = 1 :: else -> skip fi }; notified = 1;
#else
          event = 1; notified = 1;
#endif
          goto end_idle
       fi
    fi;
end_stopped:
    false
}

#ifdef LOST_WAKEUP
#define BAD (waiter[0]@end_wait && waiter[0]:block == 1 && !event && req)
#endif
#ifdef BUSY_LOOP
#define BAD (notifier[2]@end_stopped && event)
#endif
#ifdef BAD
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
