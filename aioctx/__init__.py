"""aioctx: QEMU's AioContext event loop, its races, and the tools to find them.

Subpackages: ``aioctx.impl`` (the real threaded loop), ``aioctx.sim`` (deterministic
scheduler), ``aioctx.model`` (explicit-state model checker), ``aioctx.promela``
(Promela front end).
"""

__version__ = "0.1.0"
