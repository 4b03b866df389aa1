/*
 * The notify_me / notified / EventNotifier protocol of aio_notify and
 * aio_notify_accept (QEMU 2.5-4.2, 21a03d17 + 05e514b1), and three ways to break it.
 *
 * Worker schedules a BH NOTES times (sets req) and calls aio_notify after each.  Home
 * runs aio_poll(ctx, true) in a loop; Other, a second thread, calls it once (in those
 * versions any thread could): raise notify_me by 2, compute the timeout (0 if the BH
 * is pending), sleep on the EventNotifier if not, lower notify_me, accept the
 * notification, run the BH.
 *
 *   aio_notify:        if notify_me: event_notifier_set, then notified = true
 *   aio_notify_accept: if xchg(notified, false): event_notifier_test_and_clear
 *
 * Variants (-D):
 *   (none)                      the fixed protocol.
 *   AIO_NOTIFIER_CLEARED_LATE   bug aio-notifier-cleared-late: no accept; the notifier's
 *       own fd handler clears it, after the BHs ran, eating a notification another
 *       thread's poll still needed: a lost wake-up.
 *   NOTIFIED_BEFORE_EVENT       seeded notified-before-event: aio_notify sets notified
 *       before the event; an accept in between clears nothing and the event then stays
 *       set with notified false: the pollers busy-loop for ever.
 *   NOTIFIED_SKIPS_SET          seeded notified-skips-set: aio_notify skips the event
 *       write when notified is already true; after an accept/notify race (notified
 *       true, event clear) the next notification is lost.
 *
 * Properties.  Safety: Monitor asserts, once nothing else can move (timeout), that no
 * BH is pending: a poller asleep with work pending is a lost wake-up.  Acceptance: the
 * never claim accepts runs in which, after the worker is done, the event stays set for
 * ever (a busy loop: poll never blocks again).  Even the fixed protocol has such a run
 * without fairness: Other stops for ever between the exchange and the clear of its
 * accept while Home spins; weak fairness (-f) rules that run out, not the real busy
 * loop of NOTIFIED_BEFORE_EVENT.  NOTES=n (default 2, 3 with NOTIFIED_SKIPS_SET) sets
 * how many notifications Worker makes; the fixed protocol keeps its verdicts with one
 * notification and with three.
 *   variants: - | NOTES=1 | NOTES=3 | AIO_NOTIFIER_CLEARED_LATE | NOTIFIED_BEFORE_EVENT | NOTIFIED_SKIPS_SET
 *   expect -: safety=ok acceptance=violation(acceptance-cycle) fair=ok
 *   expect NOTES=1: safety=ok acceptance=violation(acceptance-cycle) fair=ok
 *   expect NOTES=3: safety=ok acceptance=violation(acceptance-cycle) fair=ok
 *   expect AIO_NOTIFIER_CLEARED_LATE: safety=violation(assertion) acceptance=violation(assertion) fair=violation(assertion)
 *   expect NOTIFIED_BEFORE_EVENT: safety=ok acceptance=violation(acceptance-cycle) fair=violation(acceptance-cycle)
 *   expect NOTIFIED_SKIPS_SET: safety=violation(assertion) acceptance=violation(acceptance-cycle|assertion) fair=violation(assertion)
 *
 * Statement labels name the implementation's operation labels, with "__" for "."
 * (impl/legacy_wakeup.py: aio_notify.set_notified, aio_notify_accept.xchg_notified...).
 */

#ifndef NOTES         /* -DNOTES=n scales the model (benchmarks/bench_promela.py) */
#ifdef NOTIFIED_SKIPS_SET
#define NOTES 3       /* the lost write needs a third notification after the race */
#else
#define NOTES 2
#endif
#endif

bit event;            /* the EventNotifier */
bit notified;
byte notify_me;
bit req;              /* the BH is scheduled */
bit worker_done;

active proctype Worker() {
  byte n;
  do
  :: n < NOTES ->
     req = 1;                                   /* qemu_bh_schedule */
aio_notify__load_notify_me:
     if
     :: notify_me != 0 ->
#if defined(NOTIFIED_BEFORE_EVENT)
aio_notify__set_notified:
        notified = 1;
aio_notify__event_notifier_set:
        event = 1
#elif defined(NOTIFIED_SKIPS_SET)
aio_notify__load_notified:
        if
        :: notified -> skip                     /* "already notified": no write */
        :: else -> event = 1; notified = 1
        fi
#else
aio_notify__event_notifier_set:
        event = 1;
aio_notify__set_notified:
        notified = 1
#endif
     :: else
     fi;
     n++
  :: else -> break
  od;
  worker_done = 1
}

/* One blocking aio_poll.  Local bookkeeping rides on the shared accesses (and dead
   locals are reset) so that interleavings differ only in shared-memory steps. */
inline aio_poll(ready, was) {
  atomic { notify_me = notify_me + 2 };         /* aio_poll.notify_me_add */
  if
  :: req -> ready = event                       /* timeout 0: poll the fd, no wait */
  :: !req ->                                    /* aio_compute_timeout: -1 */
end_sleep:
     event == 1 -> ready = 1                    /* fdmon_poll_wait.ppoll */
  fi;
  atomic { notify_me = notify_me - 2 };         /* aio_poll.notify_me_sub */
#ifndef AIO_NOTIFIER_CLEARED_LATE
  atomic { was = notified; notified = 0 };      /* aio_notify_accept.xchg_notified */
  if
  :: was ->
aio_notify_accept__test_and_clear:
     atomic { event = 0; was = 0 }
  :: else
  fi;
#endif
#ifdef AIO_NOTIFIER_CLEARED_LATE
  req = 0;                                      /* aio_bh_poll runs the BH */
  if
  :: ready ->
aio_context_notifier_cb__test_and_clear:
     atomic { event = 0; ready = 0 }
  :: else
  fi
#else
  atomic { req = 0; ready = 0 }                 /* aio_bh_poll runs the BH */
#endif
}

active proctype Home() {
  bit ready, was;
end_idle:
  do
  :: aio_poll(ready, was)
  od
}

active proctype Other() {
  bit ready, was;
  aio_poll(ready, was)
}

active proctype Monitor() {
  timeout -> assert(req == 0)                   /* nobody left awake with work to do */
}

never {    /* <>[] (worker_done && event): the event never goes low again */
  do
  :: true
  :: worker_done && event -> break
  od;
accept_busy:
  do
  :: worker_done && event
  od
}
