/*
 * The notify_me / notified / EventNotifier protocol of aio_notify and
 * aio_notify_accept (QEMU 2.5-4.2, 21a03d17 + 05e514b1), and three ways to break it,
 * in the shape of the scenarios that replay it on the code (sim/scenarios/pollers.py
 * and notified_before_event.py; aio-notify-accept.pair pairs them, docs/pairing.md).
 *
 * Worker finishes NOTES requests; each one schedules the thread pool's completion BH
 * (aio_bh_enqueue: set its flags, link it if it was not pending) and calls aio_notify.
 * Home (an iothread) runs aio_poll(ctx, true) for ever; Other (a second thread, as any
 * thread could in those versions) runs it until request 0 is delivered.  One blocking
 * aio_poll: raise notify_me by 2, compute the timeout (0 if a BH is linked and pending:
 * then no ppoll at all), else sleep in ppoll until the EventNotifier is set, lower
 * notify_me, accept the notification, then under the AioContext lock run the BHs (take
 * bh_list, clear the completion BH's flags, run it) and the notifier's handler if it is
 * on this poller's ready list (a handler is on one list: that of the last ppoll that
 * found it set; its revents are shared, and cleared by whoever dispatches it first).
 * The completion BH delivers every finished, undelivered request, in
 * order: it re-schedules itself (aio_bh_enqueue + aio_notify), delivers, and kicks the
 * context (aio_notify again), so the pollers notify too.
 *
 *   aio_notify:        if notify_me: event_notifier_set, then notified = true
 *   aio_notify_accept: if xchg(notified, false): event_notifier_test_and_clear
 *
 * Variants (-D):
 *   (none)                      the fixed protocol.
 *   AIO_NOTIFIER_CLEARED_LATE   bug aio-notifier-cleared-late: no accept; the notifier's
 *       own handler clears it, after the BHs ran, eating a notification another
 *       thread's poll still needed: a lost wake-up.
 *   NOTIFIED_BEFORE_EVENT       seeded notified-before-event: aio_notify sets notified
 *       before the event; an accept in between clears nothing and the event then stays
 *       set with notified false: every later ppoll returns at once (a busy loop).
 *   NOTIFIED_SKIPS_SET          seeded notified-skips-set: aio_notify skips the event
 *       write when notified is already true; after an accept/notify race (notified
 *       true, event clear) the next notification is lost.
 *   STOP_IOTHREAD               the shape of the scenario notified-before-event: no
 *       Other; Main (the main thread) creates the context (which calls aio_notify when
 *       it registers its notifier) and starts the others, waits for every result, sets
 *       stop and, until Home has seen it and left, kicks the context (a one-shot BH,
 *       then aio_notify).
 *
 * Properties.  Safety: Monitor asserts, once nothing else can move (timeout), that
 * every request was delivered (a poller asleep with work pending is a lost wake-up)
 * and, with STOP_IOTHREAD, that the EventNotifier is not left set with notified false
 * (the scenario's end check).  Acceptance: the never claim accepts runs in which, after
 * the worker is done, the event stays set with notified false for ever (nothing will
 * clear it: the busy loop).  Without fairness even the fixed protocol has such a run:
 * a poller stops for ever inside its accept, between the exchange and the clear, while
 * another thread keeps moving (Home polling, or Main kicking); weak fairness (-f) rules
 * it out, not NOTIFIED_BEFORE_EVENT's.  NOTES=n (default 2, 3 with
 * NOTIFIED_SKIPS_SET: the lost write needs a third notification after the race) sets
 * how many requests Worker finishes.
 *   variants: - | NOTES=1 | NOTES=3 | AIO_NOTIFIER_CLEARED_LATE | NOTIFIED_BEFORE_EVENT | NOTIFIED_SKIPS_SET | STOP_IOTHREAD | STOP_IOTHREAD,NOTIFIED_BEFORE_EVENT
 *   expect -: safety=ok acceptance=violation(acceptance-cycle) fair=ok
 *   expect NOTES=1: safety=ok acceptance=violation(acceptance-cycle) fair=ok
 *   expect NOTES=3: safety=ok acceptance=violation(acceptance-cycle) fair=ok
 *   expect AIO_NOTIFIER_CLEARED_LATE: safety=violation(assertion) acceptance=violation(assertion) fair=violation(assertion)
 *   expect NOTIFIED_BEFORE_EVENT: safety=ok acceptance=violation(acceptance-cycle) fair=violation(acceptance-cycle)
 *   expect NOTIFIED_SKIPS_SET: safety=violation(assertion) acceptance=violation(acceptance-cycle|assertion) fair=violation(assertion)
 *   expect STOP_IOTHREAD: safety=ok acceptance=violation(acceptance-cycle) fair=ok
 *   expect STOP_IOTHREAD,NOTIFIED_BEFORE_EVENT: safety=violation(assertion) acceptance=violation(acceptance-cycle|assertion) fair=violation(acceptance-cycle|assertion)
 *
 * Statement labels name the implementation's operation labels, with "__" for "."
 * (impl/legacy_wakeup.py: aio_notify.set_notified, aio_notify_accept.xchg_notified...);
 * the BH list and the requests are left unlabelled: the pairing compares the wake-up
 * protocol only.
 */

#ifndef NOTES         /* -DNOTES=n scales the model (benchmarks/bench_promela.py) */
#ifdef NOTIFIED_SKIPS_SET
#define NOTES 3
#else
#define NOTES 2
#endif
#endif

bit event;            /* the context's EventNotifier */
bit notified;         /* aio_notify's mark for aio_notify_accept */
byte notify_me;       /* +2 per blocking aio_poll between its raise and its lower */
bit linked;           /* the completion BH is on bh_list */
bit pending;          /* ... and its flags say scheduled */
bit ctx_lock;         /* the AioContext lock: one thread runs BHs and handlers at a time */
byte done;            /* requests the worker has finished (in order) */
bit dlv[NOTES];       /* request i delivered (marked by the completion BH) */
byte completed;       /* deliveries counted (what the main thread waits for) */
bit worker_done;
#ifdef AIO_NOTIFIER_CLEARED_LATE
byte ready_in;        /* whose ready list holds the notifier's handler (1 Home, 2 Other):
                         a handler is on one list, that of the last ppoll to find it */
bit revents;          /* the handler's revents, set by ppoll, cleared by its dispatch */
#endif
#ifdef STOP_IOTHREAD
bit created;          /* the context exists: the main thread starts the others */
bit stop;             /* the iothread's stop flag */
bit kick;             /* a one-shot stop kick is on bh_list */
bit home_done;        /* the iothread has left its loop */
#endif

/* aio_notify.  Each branch of an "if" that reads shared state is one step, and local
   bookkeeping rides on shared accesses, so that runs differ only in shared steps.  An
   inline cannot start with a label: the skip is the call's full barrier. */
inline aio_notify() {
  skip;
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
     :: notified                                /* "already notified": no write */
     :: !notified ->
aio_notify__event_notifier_set:
        event = 1;
aio_notify__set_notified:
        notified = 1
     fi
#else
aio_notify__event_notifier_set:
     event = 1;
aio_notify__set_notified:
     notified = 1
#endif
  :: notify_me == 0
  fi
}

/* aio_bh_enqueue of the completion BH without its notify: set the flags, link it onto
   bh_list if it was not pending */
inline bh_enqueue(was) {
  atomic { was = pending; pending = 1 };
  if
  :: atomic { !was -> linked = 1 }
  :: atomic { was -> was = 0 }
  fi
}

/* aio_bh_poll under the AioContext lock: take bh_list; if the completion BH was on it,
   clear its flags and run it.  The BH walks the requests in order (i); each finished,
   undelivered one it marks, re-schedules itself (step 1), notifies (2), counts the
   delivery (3) and kicks the context (4).  aio_notify appears once, for its labels. */
inline aio_bh_poll(i, step, was) {
#ifdef STOP_IOTHREAD
  atomic { was = linked; linked = 0; kick = 0 };
#else
  atomic { was = linked; linked = 0 };
#endif
  if
  :: was ->
     atomic { pending = 0; was = 0 };
     do
     :: atomic { step == 0 && i < NOTES && (dlv[i] || i >= done) -> i++ }
     :: atomic { step == 0 && i < NOTES && !dlv[i] && i < done -> dlv[i] = 1; step = 1 }
     :: step == 1 -> bh_enqueue(was); step = 2
     :: step == 2 || step == 4 ->
        aio_notify();
        atomic {
          if
          :: step == 2 -> step = 3
          :: step == 4 -> step = 0; i++
          fi
        }
     :: atomic { step == 3 -> completed++; step = 4 }
     :: atomic { step == 0 && i == NOTES -> i = 0; break }
     od
  :: else
  fi
}

/* One blocking aio_poll (2015-2020 protocol: any thread may poll), after its first
   step, which the caller writes (an inline cannot start with a label):
       aio_poll__notify_me_add: notify_me = notify_me + 2 */
inline aio_poll(me, i, step, was) {
  if                                            /* aio_compute_timeout */
#ifdef STOP_IOTHREAD
  :: linked && pending || kick                  /* 0: a BH is due, no ppoll */
#else
  :: linked && pending                          /* 0: a BH is due, no ppoll */
#endif
  :: else ->                                    /* -1: sleep until the notifier is set */
end_sleep:
fdmon_poll_wait__ppoll:
#ifdef AIO_NOTIFIER_CLEARED_LATE
     atomic { event == 1 -> ready_in = me; revents = 1 }
#else
     event == 1
#endif
  fi;
aio_poll__notify_me_sub:
  notify_me = notify_me - 2;
#ifndef AIO_NOTIFIER_CLEARED_LATE
aio_notify_accept__xchg_notified:
  atomic { was = notified; notified = 0 };
  if
  :: was ->
aio_notify_accept__test_and_clear:
     atomic { event = 0; was = 0 }
  :: else
  fi;
#endif
  atomic { ctx_lock == 0 -> ctx_lock = 1 };
  aio_bh_poll(i, step, was);
#ifdef AIO_NOTIFIER_CLEARED_LATE
  if                                            /* the notifier's handler, if it is on */
  :: atomic { ready_in == me -> ready_in = 0; was = revents };    /* this poller's list */
     revents = 0;                               /* aio_dispatch_handler takes revents */
     if
     :: was ->                                  /* io_read: the handler drains it */
aio_context_notifier_cb__test_and_clear:
        atomic { event = 0; was = 0 }
     :: else
     fi
  :: else
  fi;
#endif
  ctx_lock = 0
}

active proctype Worker() {
  bit was;
#ifdef STOP_IOTHREAD
  created;
#endif
  do
  :: atomic { done < NOTES -> done++ };         /* the request's state: DONE */
     bh_enqueue(was);                           /* qemu_bh_schedule: enqueue, notify */
     aio_notify()
  :: done == NOTES -> break
  od;
  worker_done = 1
}

#ifdef STOP_IOTHREAD
active proctype Home() {                        /* while (!stop) aio_poll(ctx, true) */
  bit was;
  byte i, step;
  created;
  do
  :: true ->
iothread__load_stop:
     if
     :: stop -> break
     :: !stop ->
aio_poll__notify_me_add:
        notify_me = notify_me + 2;
        aio_poll(1, i, step, was)
     fi
  od;
  home_done = 1
}

active proctype Main() {
  bit stopping;
  do
  :: aio_notify();          /* creating the context (registering the notifier), each kick */
     if
     :: !stopping ->
        created = 1;                            /* start the iothread and the worker */
        completed == NOTES && worker_done;      /* every result in, the worker joined */
main__stop:
        stop = 1;
        stopping = 1
     :: stopping
     fi;
     if
     :: home_done -> break
     :: !home_done -> kick = 1                  /* aio_bh_schedule_oneshot: a stop kick */
     fi
  od
}
#else
active proctype Home() {
  bit was;
  byte i, step;
end_idle:
  do
  :: true ->
aio_poll__notify_me_add:
     notify_me = notify_me + 2;
     aio_poll(1, i, step, was)
  od
}

active proctype Other() {                       /* until request 0 is delivered */
  bit was;
  byte i, step;
  do
  :: dlv[0] -> break
  :: !dlv[0] ->
aio_poll__notify_me_add:
     notify_me = notify_me + 2;
     aio_poll(2, i, step, was)
  od
}
#endif

active proctype Monitor() {
  timeout ->
#ifdef STOP_IOTHREAD
  assert(completed == NOTES && !(event && !notified))
#else
  assert(completed == NOTES)                    /* nobody left asleep with work to do */
#endif
}

never {    /* <>[] (worker_done && event && !notified): the event is never cleared again */
  do
  :: true
  :: worker_done && event && !notified -> break
  od;
accept_busy:
  do
  :: worker_done && event && !notified
  od
}
