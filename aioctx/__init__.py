"""aioctx: QEMU's AioContext event loop, its races, and the tools to find them.

Subpackages: ``aioctx.impl`` (the real threaded loop), ``aioctx.sim`` (deterministic
scheduler), ``aioctx.model`` (explicit-state model checker), ``aioctx.promela``
(Promela front end).

On top of them: ``catalogue`` and ``regress`` (the race-regression catalogue that
``aioctx regress`` runs), ``hunting`` (``aioctx hunt``/``aioctx replay``), ``swimlane``
and ``pictures`` (counterexamples and state graphs drawn with matplotlib), and
``pytest_plugin`` (race tests in any project's pytest suite).
"""

__version__ = "0.1.0"
