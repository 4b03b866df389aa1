/*
 * aio-dispatching-flag: the 2015 notify_me counter against the 2014 "dispatching"
 * optimisation of aio_notify (QEMU eabc9779, bug introduced by 0ceb849b).
 *
 * Three threads share one AioContext, as in sim/scenarios/aio_dispatching_flag.py
 * (the mapping aio-dispatching-flag.pair pairs them: docs/pairing.md).  GSource is the
 * main loop running the context through glib, for ever: prepare (announce itself in
 * bit 0 of notify_me, compute the timeout), poll (timeout 0 if the completion BH is
 * due, else -1: asleep until the EventNotifier is written), check (only if it was not
 * ready: clear bit 0, accept the notification, is there work?) and dispatch.
 * SyncPoller is a second thread calling aio_poll(ctx, true) until its request is
 * delivered.  Worker is a thread-pool worker finishing NREQ requests; each finished
 * request schedules the pool's completion BH (aio_bh_enqueue: set its flags, link it
 * if it was not pending, notify).  aio_bh_poll takes the BH list, dequeues the BH and
 * runs it; for each finished request the callback re-schedules the BH (so nested loops
 * re-enter it), delivers the completion and kicks the context.  aio_notify writes the
 * EventNotifier and then sets notified; aio_notify_accept clears the EventNotifier iff
 * it exchanges notified from true (the 2015-2020 protocol the code's legacy wake-up
 * runs).
 *
 * Fixed (default): aio_notify writes the EventNotifier iff notify_me != 0.
 * -DAIO_DISPATCHING_FLAG (bug aio-dispatching-flag): aio_notify writes it iff no
 * aio_poll is dispatching, the 2014 rule (notify_me is still kept, and ignored, as by
 * the code's bug switch).  SyncPoller runs the completion BH, which re-schedules itself
 * while "dispatching" is set: no write; the worker's next completion finds the BH
 * scheduled and, SyncPoller still dispatching, does not write either; GSource sleeps in
 * poll(-1) for ever with the BH scheduled: an invalid end state.
 *
 * Properties.  Safety: nobody sleeps for ever where it must not (invalid end state).
 * Liveness (acceptance modes): every finished request is eventually delivered, i.e.
 * never <>[] (completed < done); the monitor Delivery waits at an accept label while a
 * finished request is undelivered.  With accept labels SPIN's -a no longer reports
 * invalid end states: the bug's hang, everybody blocked while Delivery waits, is an
 * acceptance cycle ("accept stutter").  Without fairness the fixed protocol has a
 * cycle too: a notify has written the EventNotifier but not yet set notified, so no
 * accept clears it, and GSource's poll returns at once, for ever, while the notifying
 * thread never gets to set notified; weak fairness (-f) rules that run out.
 *   variants: - | AIO_DISPATCHING_FLAG
 *   expect -: safety=ok acceptance=violation(acceptance-cycle) fair=ok
 *   expect AIO_DISPATCHING_FLAG: safety=violation(invalid-end-state) acceptance=violation(acceptance-cycle) fair=violation(acceptance-cycle)
 *
 * Statement labels name the implementation's operation labels, with "__" for "."
 * (aio_notify__load_notify_me is "aio_notify.load_notify_me" in impl/); a second
 * statement that is the same operation carries a name of its own, which the mapping
 * file pairs with the operation (aio_set_dispatching__store_restore).
 */

#define NREQ 2

#ifdef AIO_DISPATCHING_FLAG
/* under the 2014 rule, registering the notifier's own handler when the context is
   created notifies it (nobody is dispatching) */
bit event = 1;        /* the context's EventNotifier */
bit notified = 1;     /* aio_notify's mark for aio_notify_accept (set after the event) */
#else
bit event;            /* the context's EventNotifier */
bit notified;         /* aio_notify's mark for aio_notify_accept (set after the event) */
#endif
byte notify_me;       /* bit 0: a GSource between prepare and check; +2 per aio_poll */
bit dispatching;      /* the 2014 flag */
bit linked;           /* the completion BH is on the context's bh_list */
bit pending;          /* ... and its flags say scheduled (BH_PENDING | BH_SCHEDULED) */
bit ctx_lock;         /* the AioContext lock: one thread dispatches BHs at a time */
byte done;            /* requests the worker has finished */
byte completed;       /* completions delivered by the BH callback */

/* aio_notify: the 2014 rule reads "dispatching", the 2015 one reads notify_me; it
   writes the EventNotifier, then sets notified.  Each branch of an "if" that reads
   shared state is one atomic step, and local bookkeeping rides on shared accesses, so
   that runs differ only in shared steps. */
inline aio_notify() {
  skip;                               /* aio_notify.mb (an inline cannot start with a label) */
#ifdef AIO_DISPATCHING_FLAG
aio_notify__load_dispatching:
  if
  :: !dispatching -> event = 1; notified = 1
  :: dispatching
  fi
#else
aio_notify__load_notify_me:
  if
  :: notify_me != 0 -> event = 1; notified = 1
  :: notify_me == 0
  fi
#endif
}

/* aio_notify_accept: if xchg(notified, false), clear the EventNotifier */
inline aio_notify_accept(was) {
  atomic { was = notified; notified = 0 };
  if
  :: atomic { was -> event = 0; was = 0 }
  :: !was
  fi
}

/* aio_bh_enqueue without its notify (the callers notify next): set the flags, and
   link the BH onto bh_list if it was not pending already.  The caller labels the call
   with the flags' fetch_or. */
inline bh_enqueue(was) {
  atomic { was = pending; pending = 1 };
  if
  :: !was ->
aio_bh_enqueue__cmpxchg_bh_list:
     linked = 1
  :: atomic { was -> was = 0 }
  fi
}

/* aio_compute_timeout: 0 if the BH is on the list with its flags set (read in turn);
   the caller labels the call with the list's load */
inline compute_timeout(ready) {
  if
  :: linked ->
     if
     :: atomic { pending -> ready = 1 }
     :: !pending
     fi
  :: !linked
  fi
}

/* aio_bh_poll, under the AioContext lock: take the list, and if the completion BH was
   on it, dequeue it (clear its flags) and run it.  For each finished request the
   callback re-schedules the BH (aio_bh_enqueue and its notify), delivers the
   completion, then kicks the context (a second aio_notify).  ``step`` walks these
   moves (1: notify after re-scheduling, 2: deliver, 3: notify after delivering, 0: next
   request), so that aio_notify, and its statement labels, appear once per process. */
inline run_completion_bh(step, was) {
  atomic { ctx_lock == 0 -> ctx_lock = 1 };
aio_bh_poll__take_bh_list:
  atomic { was = linked; linked = 0 };
  if
  :: was ->
aio_bh_dequeue__fetch_and:
     atomic { pending = 0; was = 0 };
     do
     :: step == 0 && completed < done ->
aio_bh_enqueue__fetch_or:
        bh_enqueue(was);
        step = 1
     :: step == 1 || step == 3 -> aio_notify(); step = (step + 1) % 4
     :: atomic { step == 2 -> completed++; step = 3 }
     :: atomic { step == 0 && completed == done -> break }
     od
  :: !was
  fi;
  ctx_lock = 0
}

active proctype Worker() {
  bit was;
  do
  :: atomic { done < NREQ -> done++ };
aio_bh_enqueue__fetch_or:             /* qemu_bh_schedule: aio_bh_enqueue, then notify */
     bh_enqueue(was);
     aio_notify()
  :: done == NREQ -> break
  od
}

/* The second thread: aio_poll(ctx, true) until its request (the first) is delivered */
active proctype SyncPoller() {
  byte step;
  bit was, ready;
end_sync:
  do
  :: completed > 0 -> break
  :: completed == 0 ->
#ifdef AIO_DISPATCHING_FLAG
aio_set_dispatching__store:
     dispatching = 0;                 /* blocking: not dispatching while it waits */
#endif
aio_poll__notify_me_add:
     notify_me = notify_me + 2;
aio_compute_timeout__load_bh_list:
     compute_timeout(ready);
     if
     :: atomic { ready -> ready = 0 }
     :: !ready ->
end_sync_wait:
fdmon_poll_wait__ppoll:
        event == 1
     fi;
aio_poll__notify_me_sub:
     notify_me = notify_me - 2;
     aio_notify_accept(was);
#ifdef AIO_DISPATCHING_FLAG
aio_set_dispatching__store_dispatching:
     dispatching = 1;
#endif
     run_completion_bh(step, was);
#ifdef AIO_DISPATCHING_FLAG
aio_set_dispatching__store_restore:
     dispatching = 0                  /* back to the caller's value */
#else
     skip
#endif
  od
}

/* The main loop: g_main_context_iteration for ever.  prepare announces it in bit 0 of
   notify_me and computes the timeout; glib polls in either case (timeout 0, or -1:
   asleep until the notifier is written); only a source that was not ready already is
   checked (bit 0 cleared, the notification accepted, and is there work?); a ready
   source is dispatched.  Once every request is delivered, its sleep in poll(-1) is the
   idle loop's (a valid end); before that it is a sleep with work still to come, and
   for ever is the bug. */
active proctype GSource() {
  byte step;
  bit was, ready, go;
  do
  :: true ->
aio_ctx_prepare__notify_me_or:
     notify_me = notify_me | 1;
aio_compute_timeout__load_bh_list:
     compute_timeout(ready);
     if
     :: atomic { ready -> ready = 0; go = 1 };
g_main_context_iteration__poll_ready:
        skip                          /* poll(0): the BH is due */
     :: !ready ->
        if
        :: completed < NREQ ->
g_main_context_iteration__poll:
           event == 1                 /* poll(-1): no end label, sleeping for ever */
        :: completed == NREQ ->       /* here with completions pending is the bug */
end_idle_poll:
g_main_context_iteration__poll_idle:
           event == 1
        fi;
aio_ctx_check__notify_me_and:
        notify_me = notify_me & 254;
        aio_notify_accept(was);
        if                            /* dispatch if a BH is due or the notifier's */
        :: go = 1                     /* handler has an event (another poller may */
        :: !linked || !pending        /* have taken it): else nothing to dispatch */
        fi
     fi;
     if
     :: atomic { go -> go = 0 };
        run_completion_bh(step, was)
     :: !go
     fi
  od
}

/* Liveness: every finished request is eventually delivered (never <>[] completed <
   done).  The monitor waits, accepting, from a state with a finished request not yet
   delivered until none is pending; a run that leaves it waiting for ever (here: all
   processes blocked, SPIN's "accept stutter") is an acceptance cycle.  All its waits
   are valid end states (it adds nothing to the safety check), and once every request
   is delivered it idles for ever, so that no final state follows an accepting one:
   SPIN 6.5.2 -a -f can report such a final state as an "accept stutter" (a stale flag
   in the trail frame of its fairness default move). */
active proctype Delivery() {
end_idle:
  do
  :: completed < done ->
end_pending:
accept_pending:
     completed == done
  :: completed == NREQ
  od
}
