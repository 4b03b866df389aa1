/*
 * aiowait-home-thread-no-waiter-count: AIO_WAIT_WHILE in the home thread must count
 * itself in num_waiters (QEMU 48657448, 2018).
 *
 * Waiter is the main loop running AIO_WAIT_WHILE(qemu_get_aio_context(), !done): it
 * polls the main context (aio_poll(ctx, true): compute the timeout, raise notify_me,
 * check notified, sleep on the EventNotifier, lower notify_me, accept, run the BHs)
 * until done is set.  Kicker, another thread, sets done and calls aio_wait_kick(),
 * which schedules a dummy BH in the main context (and notifies it) only when
 * num_waiters says someone waits.  Waiter (count itself, read done) and Kicker (write
 * done, read num_waiters) are a store-buffering pair, each with a full barrier in the
 * middle: under sequential consistency at least one side sees the other.
 *
 * Fixed (default): AIO_WAIT_WHILE increments num_waiters in both branches.
 * -DAIOWAIT_HOME_THREAD_NO_WAITER_COUNT (bug): not in the home-thread branch.  Waiter
 * reads done == 0 and goes to poll, Kicker sets done, reads num_waiters == 0 and does
 * not kick: Waiter sleeps for ever with its condition already false, an invalid end
 * state.
 *
 * Properties.  Safety: nobody sleeps for ever (an invalid end state otherwise).
 * Liveness (acceptance modes): once its condition is false the waiter eventually wakes
 * up, [] (done -> <> woke); the monitor Wakeup waits at an accept label from the first
 * state with done && !woke until woke.  With accept labels SPIN's -a no longer reports
 * invalid end states: a run in which everybody is blocked and Wakeup still waits is an
 * acceptance cycle ("accept stutter").  No process but the idle monitor loops for
 * ever, so every accepting run ends blocked and weak fairness (-f) changes nothing.
 *   variants: - | AIOWAIT_HOME_THREAD_NO_WAITER_COUNT
 *   expect -: safety=ok acceptance=ok fair=ok
 *   expect AIOWAIT_HOME_THREAD_NO_WAITER_COUNT: safety=violation(invalid-end-state) acceptance=violation(acceptance-cycle) fair=violation(acceptance-cycle)
 *
 * Statement labels name the implementation's operation labels, with "__" for ".".
 */

bit done;             /* the condition AIO_WAIT_WHILE waits for */
byte num_waiters;     /* global_aio_wait.num_waiters */
bit bh;               /* the dummy BH aio_wait_kick schedules in the main context */
bit event;            /* the main context's EventNotifier */
bit notified = 1;     /* set: registering the notifier's handler notified the context */
byte notify_me;
bit woke;             /* ghost: Waiter has seen done and left its loop */

active proctype Waiter() {
#ifndef AIOWAIT_HOME_THREAD_NO_WAITER_COUNT
AIO_WAIT_WHILE__inc_num_waiters:
  num_waiters++;                    /* with smp_mb__after_rmw */
#endif
  do
  :: atomic { done -> woke = 1 };   /* aio_wait_bh_oneshot.load_done: cond() false */
     break
  :: !done ->                       /* aio_poll(main, true) */
     if
     :: bh                          /* aio_compute_timeout: a BH is pending, 0 */
     :: !bh ->
aio_poll__notify_me_add:
        notify_me = notify_me + 2;  /* with smp_mb */
aio_poll__load_notified:
        if
        :: notified                 /* an aio_notify raced with us: timeout 0 */
        :: !notified ->
fdmon_poll_wait__ppoll:             /* timeout -1: no end label, sleeping for ever */
           event == 1               /* here with done set is the bug */
        fi;
aio_poll__notify_me_sub:
        notify_me = notify_me - 2
     fi;
aio_notify_accept__clear_notified:
     notified = 0;
     atomic { event = 0; bh = 0 }   /* the notifier's handler and the dummy BH run */
  od;
#ifndef AIOWAIT_HOME_THREAD_NO_WAITER_COUNT
AIO_WAIT_WHILE__dec_num_waiters:
  num_waiters--
#endif
}

active proctype Kicker() {
aio_wait_bh__set_done:
  done = 1;
  skip;                             /* aio_wait_kick.mb */
aio_wait_kick__load_num_waiters:
  if
  :: num_waiters > 0 ->
     bh = 1;                        /* aio_bh_schedule_oneshot(main, dummy_bh_cb) */
aio_notify__set_notified:
     notified = 1;                  /* then smp_mb */
aio_notify__load_notify_me:
     if
     :: notify_me != 0 ->
aio_notify__event_notifier_set:
        event = 1
     :: else
     fi
  :: else
  fi
}

/* Liveness, [] (done -> <> woke): once its condition is false, the waiter eventually
   wakes up and sees it.  The monitor waits, accepting, from a state with done && !woke
   until woke.  All its waits are valid end states (it adds nothing to the safety
   check), and once the waiter has woken it idles for ever (nothing can block after
   that), so that no final state follows an accepting one: SPIN 6.5.2 -a -f can report
   such a final state as an "accept stutter" (a stale flag in the trail frame of its
   fairness default move). */
active proctype Wakeup() {
end_idle:
  do
  :: done && !woke ->
end_waiting:
accept_waiting:
     woke
  :: woke
  od
}
