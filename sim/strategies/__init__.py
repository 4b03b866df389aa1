"""The built-in search strategies; importing this package registers each by name.

``BUILTIN`` is the registry of built-ins (``sim.strategy`` holds the registry itself):
a new built-in strategy is a module here that calls ``register_strategy``, plus its
name below, and nothing else changes.  The order is the order ``aioctx hunt --help``
and error messages list the names in.
"""

from importlib import import_module

# the strategies they register: pct, random, dfs, dpor, hypothesis, ordered
BUILTIN = ("sampling", "dfs", "dpor", "hypothesis", "ordered")

for _module in BUILTIN:
    import_module(f"{__name__}.{_module}")
