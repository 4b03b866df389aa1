"""aioctx.model: explicit-state model checking of transition systems."""
