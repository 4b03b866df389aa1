"""tests/aioctx: the front door (catalogue, regress, hunt/replay, pictures, plugin).

``plugin_project`` is an outside project that the plugin test runs in its own pytest
process; it holds a deliberately failing race test, so it is not collected here."""

collect_ignore = ["plugin_project"]
