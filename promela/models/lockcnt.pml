/*
 * QemuLockCnt (util/lockcnt.c, futex version): a counter and a mutex in one word,
 * word = count * 4 + state, state FREE (0), LOCKED (1) or WAITING (2, someone sleeps
 * on the futex).  inc() increments at once while the count is non-zero, even with the
 * mutex held, but moves 0 -> 1 only with the mutex free; dec() never waits.  A thread
 * that holds the mutex and saw count == 0 may free what the counted readers traverse.
 *
 * Reader is a list walker: inc(), walk (it asserts nobody is freeing), dec(), twice.
 * Freer is aio_set_fd_handler's delete path: lock(); if the count is 0, free the node
 * (ghost flag "freeing") else leave it for later; unlock().  A sleeper in futex_wait
 * is woken by futex_wake; futex_wait returns at once if the word has changed.
 *
 * Properties.  Safety: no walker inside while the freer frees (assertion); nobody
 * sleeps for ever (invalid end state otherwise).  Liveness (acceptance modes): a thread
 * waiting for the lock eventually gets it: both of Reader's qemu_lockcnt_inc calls
 * return, and Freer's qemu_lockcnt_lock; the monitor Acquire waits for them at accept
 * labels.  With accept labels SPIN's -a no longer reports invalid end states: a Reader
 * asleep for ever is an acceptance cycle ("accept stutter").  No process but the idle
 * monitor loops for ever (a CAS retry needs a change of the word, and there are
 * finitely many), so every accepting run ends blocked and weak fairness (-f) changes
 * nothing.
 *
 * Fixed (default): unlock() wakes one sleeper when the state it cleared was WAITING,
 * and a waiter that got the count without the mutex passes its wake-up on.
 * -DLOCKCNT_UNLOCK_NO_WAKE (seeded, never in QEMU): unlock() forgets the wake-up; a
 * Reader that announced itself as a waiter sleeps for ever.
 *
 *   variants: - | LOCKCNT_UNLOCK_NO_WAKE
 *   expect -: safety=ok acceptance=ok fair=ok
 *   expect LOCKCNT_UNLOCK_NO_WAKE: safety=violation(invalid-end-state) acceptance=violation(acceptance-cycle) fair=violation(acceptance-cycle)
 *
 * Statement labels name the implementation's operation labels, with "__" for ".".
 */

#define FREE 0
#define LOCKED 1
#define WAITING 2

byte word;                  /* count * 4 + state */
bit asleep_reader, asleep_freer;    /* in futex_wait */
bit freeing, walking;       /* ghosts */
byte incs;                  /* ghost: qemu_lockcnt_inc calls of Reader that returned */
bit locked;                 /* ghost: Freer's qemu_lockcnt_lock returned */

inline cas(expect, new, ok) {
  atomic { if :: word == expect -> word = new; ok = 1 :: else -> ok = 0 fi }
}

/* futex_wait(&word, seen): sleep unless the word changed; woken by futex_wake */
inline futex_wait(seen, asleep) {
  atomic { if :: word == seen -> asleep = 1 :: else fi };
  asleep == 0
}

inline futex_wake_one() {
  atomic {
    if
    :: asleep_reader -> asleep_reader = 0
    :: asleep_freer -> asleep_freer = 0
    :: else
    fi
  }
}

active proctype Reader() {
  byte val, round;
  bit ok, waited;
  do
  :: round < 2 ->
     waited = 0;
qemu_lockcnt_inc__load:                               /* qemu_lockcnt_inc */
     do
     :: val = word;
        if
        :: val >= 4 -> cas(val, val + 4, ok);         /* count >= 1: just count */
           if :: ok -> break :: else fi
        :: val == FREE -> cas(val, 4, ok);            /* count 0, mutex free: 0 -> 1 */
           if :: ok -> break :: else fi
        :: val == LOCKED -> cas(val, WAITING, ok)     /* announce a waiter */
        :: val == WAITING -> futex_wait(val, asleep_reader); waited = 1
        fi
     od;
     if
     :: waited -> futex_wake_one()                    /* pass the wake-up on */
     :: else
     fi;
     atomic { walking = 1; incs++; assert(!freeing) };
     walking = 0;
qemu_lockcnt_dec__fetch_sub:
     word = word - 4;
     round++
  :: else -> break
  od
}

active proctype Freer() {
  byte val;
  bit ok, waited;
  do                                                  /* qemu_lockcnt_lock */
  :: val = word;
     if
     :: (val & 3) == FREE -> cas(val, val + (waited -> WAITING : LOCKED), ok);
        if :: atomic { ok -> locked = 1 }; break :: else fi
     :: (val & 3) == LOCKED -> cas(val, val + 1, ok)  /* LOCKED -> WAITING */
     :: (val & 3) == WAITING -> futex_wait(val, asleep_freer); waited = 1
     fi
  od;
qemu_lockcnt_count__load:
  if
  :: word < 4 -> atomic { freeing = 1; assert(!walking) }; freeing = 0
  :: else                                             /* readers inside: free later */
  fi;
  do                                                  /* qemu_lockcnt_unlock */
  :: val = word;
     cas(val, val - (val & 3), ok);
     if :: ok -> break :: else fi
  od;
#ifndef LOCKCNT_UNLOCK_NO_WAKE
  if
  :: (val & 3) == WAITING -> futex_wake_one()
  :: else
  fi
#endif
}

/* Liveness: a thread waiting for the lock eventually gets it: both of Reader's
   qemu_lockcnt_inc calls return (with the count at 0 and the mutex held an inc waits
   for the mutex), and so does Freer's qemu_lockcnt_lock.  The monitor waits for each
   at an accept label; a run that leaves it waiting for ever (here: all processes
   blocked, SPIN's "accept stutter") is an acceptance cycle.  All its waits are valid
   end states (it adds nothing to the safety check), and once both are through (nothing
   can block after that) it idles for ever, so that no final state follows an accepting
   one: SPIN 6.5.2 -a -f can report such a final state as an "accept stutter" (a stale
   flag in the trail frame of its fairness default move). */
active proctype Acquire() {
end_inc:
accept_inc:
  incs == 2;
end_lock:
accept_lock:
  locked;
end_done:
  do
  :: locked
  od
}
