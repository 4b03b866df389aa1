"""tests/aioctx: the front door (catalogue, regress, hunt/replay, pictures, plugin).

``plugin_project`` is an outside project that the plugin test runs in its own pytest
process; it holds a deliberately failing race test, so it is not collected here.

``toy_catalogue`` replaces the regression catalogue by one toy model, so that a test of
``aioctx regress`` itself runs in a second."""

from __future__ import annotations

import pytest

from aioctx import catalogue

collect_ignore = ["plugin_project"]

TOY = """/*
 * A toy model for the tests: BROKEN is caught (and drawn), the fixed one is not.
 *   variants: - | BROKEN
 *   expect -: safety=ok
 *   expect BROKEN: safety=violation(assertion)
 */
byte x;
active proctype P() {
#ifdef BROKEN
  assert(x == 1)
#else
  assert(x == 0)
#endif
}
"""


@pytest.fixture
def toy_catalogue(tmp_path, monkeypatch):
    """The catalogue as the one model ``toy`` (no scenarios).  The fixture is a function:
    ``toy_catalogue(edit)`` rewrites the model as ``edit(TOY)``; it returns the folder of
    the model."""
    models = tmp_path / "models"
    models.mkdir()
    monkeypatch.setattr(catalogue, "MODELS_DIR", models)
    monkeypatch.setattr(catalogue, "scenarios", dict)

    def write(edit=lambda text: text):
        (models / "toy.pml").write_text(edit(TOY))
        return models

    write()
    return write
