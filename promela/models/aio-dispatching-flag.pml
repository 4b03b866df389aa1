/*
 * aio-dispatching-flag: the 2015 notify_me counter against the 2014 "dispatching"
 * optimisation of aio_notify (QEMU eabc9779, bug introduced by 0ceb849b).
 *
 * Three threads share one AioContext.  GSource is the main loop running the context
 * through glib: prepare (announce itself in bit 0 of notify_me, compute the timeout),
 * poll(-1) on the EventNotifier, check and dispatch.  SyncPoller is a second thread
 * calling aio_poll(ctx, true) once.  Worker is a thread-pool worker finishing NREQ
 * requests; each finished request schedules the pool's completion BH, whose callback
 * re-schedules it before delivering each completion (so nested loops re-enter it).
 *
 * Fixed (default): aio_notify writes the EventNotifier iff notify_me != 0.
 * -DAIO_DISPATCHING_FLAG (bug aio-dispatching-flag): aio_notify writes it iff no
 * aio_poll is dispatching, the 2014 rule.  SyncPoller dispatches the completion BH,
 * which re-schedules itself while "dispatching" is set: no write; the worker's next
 * completion finds the BH scheduled and does not notify either; GSource sleeps in
 * poll(-1) for ever with completions pending: an invalid end state.
 *
 * Properties.  Safety: nobody sleeps for ever where it must not (invalid end state).
 * Liveness (acceptance modes): every finished request is eventually delivered, i.e.
 * never <>[] (completed < done); the monitor Delivery waits at an accept label while a
 * finished request is undelivered.  With accept labels SPIN's -a no longer reports
 * invalid end states: the bug's hang, everybody blocked while Delivery waits, is an
 * acceptance cycle ("accept stutter").  No process but the idle monitor loops for ever,
 * so every accepting run ends blocked and weak fairness (-f) changes nothing.
 *   variants: - | AIO_DISPATCHING_FLAG
 *   expect -: safety=ok acceptance=ok fair=ok
 *   expect AIO_DISPATCHING_FLAG: safety=violation(invalid-end-state) acceptance=violation(acceptance-cycle) fair=violation(acceptance-cycle)
 *
 * Statement labels name the implementation's operation labels, with "__" for "."
 * (aio_notify__load_notify_me is "aio_notify.load_notify_me" in impl/).
 */

#define NREQ 2

bit event;            /* the context's EventNotifier */
byte notify_me;       /* bit 0: a GSource between prepare and check; +2 per aio_poll */
bit dispatching;      /* the 2014 flag */
bit scheduled;        /* the completion BH is scheduled */
bit ctx_lock;         /* the AioContext lock: one thread dispatches BHs at a time */
byte done;            /* requests the worker has finished */
byte completed;       /* completions delivered by the BH callback */
bit gsource_left;     /* ghost: GSource has delivered all NREQ and left its loop */

/* qemu_bh_schedule: a read-modify-write of the flag; notify only if it was clear.
   Each branch of an "if" that reads shared state is one atomic step, and local
   bookkeeping rides on shared accesses, so that runs differ only in shared steps. */
inline qemu_bh_schedule() {
  if
  :: atomic { !scheduled -> scheduled = 1 };
#ifdef AIO_DISPATCHING_FLAG
aio_notify__load_dispatching:
     if
     :: !dispatching -> event = 1
     :: dispatching
     fi
#else
aio_notify__load_notify_me:
     if
     :: notify_me != 0 -> event = 1
     :: notify_me == 0
     fi
#endif
  :: scheduled                      /* already scheduled: nothing to do */
  fi
}

/* aio_bh_poll, under the AioContext lock, running the completion BH, which
   re-schedules itself before delivering each completion */
inline run_completion_bh() {
  atomic { ctx_lock == 0 -> ctx_lock = 1 };
  if
  :: atomic { scheduled -> scheduled = 0 };
     do
     :: completed < done -> qemu_bh_schedule(); completed++
     :: completed == done -> break
     od
  :: !scheduled
  fi;
  ctx_lock = 0
}

active proctype Worker() {
  do
  :: atomic { done < NREQ -> done++ }; qemu_bh_schedule()
  :: done == NREQ -> break
  od
}

active proctype SyncPoller() {
  /* aio_poll(ctx, blocking=true) */
#ifdef AIO_DISPATCHING_FLAG
aio_set_dispatching__store:
  dispatching = 0;                  /* blocking: not dispatching while it waits */
#else
aio_poll__notify_me_add:
  notify_me = notify_me + 2;
#endif
  if                                /* aio_compute_timeout */
  :: !scheduled ->
end_sync_wait:
     event == 1
  :: scheduled
  fi;
#ifdef AIO_DISPATCHING_FLAG
  dispatching = 1;
#else
aio_poll__notify_me_sub:
  notify_me = notify_me - 2;
#endif
  event = 0;                        /* aio_notify_accept */
  run_completion_bh();
#ifdef AIO_DISPATCHING_FLAG
  dispatching = 0                   /* back to the caller's value */
#endif
}

active proctype GSource() {
  do
  :: atomic { completed == NREQ -> gsource_left = 1 };
     break
  :: completed < NREQ ->
#ifndef AIO_DISPATCHING_FLAG
aio_ctx_prepare__notify_me_or:
     notify_me = notify_me | 1;
#endif
     if                             /* timeout 0 if a BH is scheduled */
     :: !scheduled ->
g_main_context_iteration__poll:     /* poll(-1): no end label, sleeping for ever here */
        event == 1                  /* with completions pending is the bug */
     :: scheduled
     fi;
#ifndef AIO_DISPATCHING_FLAG
aio_ctx_check__notify_me_and:
     notify_me = notify_me & 254;
#endif
     event = 0;
     run_completion_bh()
  od
}

/* Liveness: every finished request is eventually delivered (never <>[] completed <
   done).  The monitor waits, accepting, from a state with a finished request not yet
   delivered until none is pending; a run that leaves it waiting for ever (here: all
   processes blocked, SPIN's "accept stutter") is an acceptance cycle.  All its waits
   are valid end states (it adds nothing to the safety check), and once GSource has
   left its loop (nothing can block after that) it idles for ever, so that no final
   state follows an accepting one: SPIN 6.5.2 -a -f can report such a final state as an
   "accept stutter" (a stale flag in the trail frame of its fairness default move). */
active proctype Delivery() {
end_idle:
  do
  :: completed < done ->
end_pending:
accept_pending:
     completed == done
  :: gsource_left
  od
}
