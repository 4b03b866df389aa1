"""Search strategies: who runs next at each choice moment (see ``sim.decider``)."""
