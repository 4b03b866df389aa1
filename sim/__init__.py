"""aioctx.sim: run impl code one step at a time under a search strategy, replay races."""
