/*
 * The block-graph reader/writer lock (block/graph-lock.c): per-context reader counts,
 * the readers' fast path (count, full barrier, read has_writer) and slow path (under
 * aio_context_list_lock: re-check, undo, kick the writer, sleep in reader_queue), the
 * writer polling with has_writer = 0 until the counts sum to zero, then announcing
 * itself and re-counting, and wrunlock waking the queued readers.
 *
 * Processes: Writer (the main loop: wrlock, write section, wrunlock).  Mover, a
 * coroutine that takes the read lock in context A and, having moved, releases it in
 * context B (A's count stays +1, B's goes -1: only the sum is meaningful).  Local, a
 * coroutine of context B.  Teardown destroys context B once both coroutines are done:
 * B's (negative) count moves to orphaned, and the sum stays right.
 *
 * AIO_WAIT_WHILE and the main loop's aio_poll are abstracted: the writer counts itself
 * in num_waiters, re-evaluates reader_count() and, while it is >= 1, sleeps until a
 * kick's BH is pending (aio_notify/aio_poll are modelled in the other files).
 *
 * Properties.  Safety: readers and the writer are never inside together (assertions on
 * both sides); at the end the counts (orphaned + A) sum to zero; nobody waits for ever
 * (an invalid end state otherwise).  Liveness (acceptance modes): each reader that asks
 * for the read lock eventually enters, Mover (asking in context A) as well as Local
 * (in B), and the writer eventually gets in; the monitor Entry waits for each at an
 * accept label (accept_mover, accept_local, accept_writer).  With accept labels SPIN's
 * -a no longer reports invalid end states: a hang is an acceptance cycle ("accept
 * stutter") whose label names who never got in.  No process but the idle monitor loops
 * for ever (a reader parks at most once, the writer re-polls only after a change), so
 * every accepting run ends blocked and weak fairness (-f) changes nothing.
 *
 * Fixed (default): rdunlock always kicks.
 * -DGRAPH_RDUNLOCK_KICK_CONDITIONAL (bug graph-rdunlock-kick-conditional): rdunlock
 * kicks only if has_writer is set; but the writer keeps it 0 while it waits, so a
 * reader leaving then does not kick and the writer sleeps for ever, and with it any
 * reader parked in reader_queue: there are hangs in which the writer, Local, or Mover
 * (reader 1, from context A) never enters.
 * -DGRAPH_RDLOCK_NO_BARRIER is not modelled here: it needs store buffers (TSO).
 * -DONE_READER: Mover never asks for the lock (it counts as having entered), so Local
 * is the only reader: the shape of the scenario graph-rdunlock-kick-conditional (one
 * reader in an IOThread), which graph-lock.pair pairs with this model.  With two
 * readers the shortest hang moves Mover's count into B, which no execution of that
 * scenario can follow.
 *
 *   variants: - | GRAPH_RDUNLOCK_KICK_CONDITIONAL | ONE_READER | ONE_READER,GRAPH_RDUNLOCK_KICK_CONDITIONAL
 *   expect -: safety=ok acceptance=ok fair=ok
 *   expect GRAPH_RDUNLOCK_KICK_CONDITIONAL: safety=violation(invalid-end-state) acceptance=violation(acceptance-cycle) fair=violation(acceptance-cycle)
 *   expect ONE_READER: safety=ok acceptance=ok fair=ok
 *   expect ONE_READER,GRAPH_RDUNLOCK_KICK_CONDITIONAL: safety=violation(invalid-end-state) acceptance=violation(acceptance-cycle) fair=violation(acceptance-cycle)
 *
 * Statement labels name the implementation's operation labels, with "__" for ".".
 */

bit has_writer;
short count_a, count_b;       /* BdrvGraphRWlock.reader_count of contexts A and B */
short orphaned;               /* orphaned_reader_count */
bit b_registered = 1;         /* context B is on aio_context_list */
bit list_lock;                /* aio_context_list_lock */
byte num_waiters;
bit kick;                     /* a dummy BH is pending in the main context */
byte readers_inside;          /* ghost: coroutines holding the read lock */
bit writer_inside;            /* ghost: between wrlock and wrunlock */
bit queued_mover, queued_local;   /* parked in reader_queue */
bit mover_done, local_done;
bit mover_in, local_in, writer_in;   /* ghosts: has entered its section (sticky) */

inline lock() { atomic { list_lock == 0 -> list_lock = 1 } }
inline unlock() { list_lock = 0 }

/* aio_wait_kick (its load of num_waiters is aio_wait_kick.load_num_waiters; no label
   here, as both rdlock and rdunlock expand it in one process) */
inline aio_wait_kick() {
  skip;                                           /* aio_wait_kick.mb */
  if
  :: num_waiters > 0 -> kick = 1                  /* aio_bh_schedule_oneshot + notify */
  :: else
  fi
}

/* bdrv_graph_co_rdlock for a coroutine of the context whose count is cnt */
inline rdlock(cnt, queued, entered) {
  do
  :: cnt++;                                       /* bdrv_graph_co_rdlock.inc_count */
     skip;                                        /* smp_mb */
bdrv_graph_co_rdlock__load_has_writer:
     if
     :: !has_writer -> break
     :: has_writer ->
        lock();
bdrv_graph_co_rdlock__recheck_has_writer:
        if
        :: !has_writer -> unlock(); break
        :: has_writer ->
bdrv_graph_co_rdlock__undo_count:
           cnt--;
           aio_wait_kick();
           atomic { queued = 1; unlock() };       /* qemu_co_queue_wait drops the lock */
           queued == 0;                           /* woken by wrunlock */
           lock();
           unlock()                               /* bdrv_graph_co_rdlock.unlock_after_wait */
        fi
     fi
  od;
  atomic { readers_inside++; entered = 1; assert(!writer_inside) }
}

/* bdrv_graph_co_rdunlock in the context whose count is cnt */
inline rdunlock(cnt) {
  readers_inside--;
bdrv_graph_co_rdunlock__dec_count:
  cnt--;
  skip;                                           /* smp_mb */
#ifdef GRAPH_RDUNLOCK_KICK_CONDITIONAL
bdrv_graph_co_rdunlock__load_has_writer:
  if
  :: has_writer -> aio_wait_kick()
  :: else
  fi
#else
  aio_wait_kick()
#endif
}

active proctype Mover() {
#ifdef ONE_READER
  mover_in = 1;                                   /* never asks: nothing to wait for */
#else
  rdlock(count_a, queued_mover, mover_in);                  /* taken in context A ... */
  rdunlock(count_b);                              /* ... released in context B */
#endif
  mover_done = 1
}

active proctype Local() {
  rdlock(count_b, queued_local, local_in);
  rdunlock(count_b);
  local_done = 1
}

active proctype Writer() {
  short rd;
  do
  :: 
bdrv_graph_wrlock__clear_has_writer:
     has_writer = 0;
     num_waiters++;                               /* AIO_WAIT_WHILE_UNLOCKED(...) */
     do
     :: atomic { lock(); rd = orphaned + count_a + (b_registered -> count_b : 0); unlock() };
        if
        :: rd >= 1 -> atomic { kick == 1 -> kick = 0 }   /* aio_poll(main, true) */
        :: else -> break
        fi
     od;
     num_waiters--;
bdrv_graph_wrlock__set_has_writer:
     has_writer = 1;
     skip;                                        /* smp_mb */
     atomic { lock(); rd = orphaned + count_a + (b_registered -> count_b : 0); unlock() };
     if
     :: rd == 0 -> break
     :: else
     fi
  od;
  atomic { writer_inside = 1; writer_in = 1; assert(readers_inside == 0) };
  writer_inside = 0;
  lock();                                         /* bdrv_graph_wrunlock */
bdrv_graph_wrunlock__clear_has_writer:
  has_writer = 0;
  queued_mover = 0;                               /* qemu_co_enter_all(reader_queue) */
  queued_local = 0;
  unlock();
  rd = 0
}

active proctype Teardown() {
  mover_done && local_done;
  lock();                                         /* unregister_aiocontext(B) */
  orphaned = orphaned + count_b;
  count_b = 0;
  b_registered = 0;
  unlock();
  assert(orphaned + count_a == 0)
}

/* Liveness: every coroutine that asks for the read lock eventually enters (Mover,
   which asks in context A, and Local, in B; both ask at once), and the writer
   eventually gets in.  The monitor waits for each, in turn, at an accept label; a run
   that leaves it waiting for ever (here: all processes blocked, SPIN's "accept
   stutter") is an acceptance cycle, and the label names who never got in.  All its
   waits are valid end states (it adds nothing to the safety check), and once all three
   have been in (nothing can block after that) it idles for ever, so that no final state
   follows an accepting one: SPIN 6.5.2 -a -f can report such a final state as an
   "accept stutter" (a stale flag in the trail frame of its fairness default move). */
active proctype Entry() {
end_mover:
accept_mover:
  mover_in;
end_local:
accept_local:
  local_in;
end_writer:
accept_writer:
  writer_in;
end_done:
  do
  :: writer_in
  od
}
