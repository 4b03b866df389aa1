"""aioctx.pairing: one harness for a Promela model and the code it models.

    from aioctx.pairing import Pair

    p = Pair("promela/models/aio-dispatching-flag.pml", "aio-dispatching-flag",
             defines=["AIO_DISPATCHING_FLAG"])
    t = p.transfer()            # the model's counterexample, reproduced on the code
    print(t)                    # both runs side by side, the replayable schedule
    t.picture()                 # the two swimlanes, aligned (Jupyter shows it)
    c = p.conform(bound=2)      # every execution within the bound is a path of the model
    print(c)

The pieces, one module each: ``mapping`` (the MODEL.pair file format), ``correspondence``
(the mapping checked against the model and the code), ``automaton`` (the model as an
automaton over the code's labelled operations), ``transfer`` (a counterexample carried
onto the code by the simulation's ``ordered`` strategy), ``conformance`` (every
execution within a bound checked against the automaton), ``picture`` (the aligned
swimlanes), ``pair`` (the ``Pair`` object tying them together).  docs/pairing.md
describes the mapping format.
"""

from .conformance import Conformance, Departure
from .pair import Pair, find_scenario
from .transfer import Transfer

__all__ = ["Conformance", "Departure", "Pair", "Transfer", "find_scenario"]
