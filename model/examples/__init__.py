"""Models written with the Python modelling API, shipped as examples.

* ``aio_notify``: the AioContext wake-up protocol (waiter, helper poller, notifier),
  fixed and with the catalogue's four wake-up bugs; claims "lost wakeup", "busy loop".
* ``graph_lock``: the block-graph reader/writer lock with reader migration and
  orphaned counts; invariants "exclusion", "reader count conservation"; claims
  "writer starves", "reader0 starves"; one catalogue bug and three seeded ones.
* ``classic``: Peterson's algorithm (and two broken variants), dining philosophers.

Each has a Promela twin in tests/model/promela that SPIN checks to the same answers.
"""
