"""The options of a race test, and where each comes from (the pytest plugin's budgets).

A race test's options start from ``DEFAULTS``, then the marker's (or the fixture
call's) own, then, overriding them for every race test of the run: the named profile,
the ini file's ``aioctx_*`` options, the ``AIOCTX_*`` environment variables and the
``--aioctx-*`` command-line options, each over the one before.  A CI job caps its
budget with ``--aioctx-runs 50`` or ``AIOCTX_PROFILE=ci`` without touching the tests.

``runs`` is the budget of every strategy: the runs PCT, random walk and Hypothesis
sample, the most executions DFS and DPOR try (without ``runs``, they cover their whole
space; with it, a search stopped there says so).  Profiles, as Hypothesis has them:
``ci`` (quick: 200 runs), ``nightly`` (20,000 runs, DFS bound 3); the ini option
``aioctx_profiles`` adds or redefines profiles, one per line (``name: runs=500 bound=1``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

OPTIONS = ("strategy", "runs", "seed", "depth", "bound", "max_steps", "line_level",
           "engine", "workers", "allow_no_switch", "memory_model")
DEFAULTS: dict[str, Any] = {"strategy": "pct", "runs": None, "seed": 0, "depth": 3,
                            "bound": 2, "max_steps": 20_000, "line_level": True,
                            "engine": "fiber", "workers": None, "allow_no_switch": False,
                            "memory_model": "sc"}
SAMPLED_RUNS = 1000                  # runs of a sampling strategy given no ``runs``
SYSTEMATIC_CAP = 1_000_000           # most executions any strategy runs given no ``runs``
PROFILES: dict[str, dict[str, Any]] = {
    "default": {},
    "ci": {"runs": 200},
    "nightly": {"runs": 20_000, "bound": 3},
}
#: the options a profile, an ini option, a variable or the command line may override
OVERRIDABLE = ("strategy", "runs", "seed", "depth", "bound", "max_steps", "workers")
INTS = ("runs", "seed", "depth", "bound", "max_steps", "workers")
ENV_PREFIX = "AIOCTX_"
PROFILE_VARIABLE = ENV_PREFIX + "PROFILE"


class SettingError(ValueError):
    """A bad option value; the message is one line naming where it came from."""


def parse_value(where: str, name: str, text: str) -> Any:
    """An option's value from text (ini, environment, command line, profile line)."""
    if name not in OVERRIDABLE:
        raise SettingError(f"{where}: unknown option {name!r}; known: "
                           f"{', '.join(OVERRIDABLE)}")
    if name in INTS:
        try:
            value = int(text)
        except ValueError:
            raise SettingError(f"{where}: {name} must be a whole number, not "
                               f"{text!r}") from None
        check(where, name, value)
        return value
    return text.strip()


def check(where: str, name: str, value: Any) -> None:
    """Refuse values no search can use (a run count below 1, a negative bound)."""
    if name in ("runs", "depth", "max_steps", "workers") and value is not None \
            and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
        raise SettingError(f"{where}: {name} must be a whole number of at least 1, "
                           f"not {value!r}")
    if name in ("seed", "bound") and (not isinstance(value, int) or isinstance(value, bool)
                                      or value < 0):
        raise SettingError(f"{where}: {name} must be a whole number of at least 0, "
                           f"not {value!r}")
    if name == "engine" and value not in ("fiber", "thread"):
        raise SettingError(f"{where}: engine must be 'fiber' or 'thread', not {value!r}")
    if name == "memory_model" and value not in ("sc", "tso", "arm"):
        raise SettingError(f"{where}: memory_model must be 'sc', 'tso' or 'arm', not "
                           f"{value!r}")


def parse_profile_line(line: str) -> tuple[str, dict[str, Any]]:
    """``name: runs=500 bound=1`` (an ini ``aioctx_profiles`` line)."""
    name, sep, rest = line.partition(":")
    name = name.strip()
    if not sep or not name:
        raise SettingError(f"aioctx_profiles: {line.strip()!r}: write 'name: option=value ...'")
    values = {}
    for item in rest.split():
        key, eq, text = item.partition("=")
        if not eq:
            raise SettingError(f"aioctx_profiles: {name}: {item!r} is not option=value")
        values[key] = parse_value(f"aioctx_profiles: {name}", key, text)
    return name, values


@dataclass
class Overrides:
    """What overrides the markers for this pytest run, and what each value came from."""

    profile: str
    values: dict[str, Any]
    sources: dict[str, str]

    def apply(self, opts: dict[str, Any]) -> dict[str, Any]:
        return {**opts, **self.values}


def overrides(profile: str | None, layers: list[tuple[str, dict[str, Any]]],
              profile_lines: list[str]) -> Overrides:
    """The chosen ``profile`` ("default" if None), then each layer of
    ``(label, {option: value})`` over the ones before (ini, environment, command
    line); a value given as text is parsed, and every value is checked, an error
    naming where it came from (``label`` formatted with the option's ``name``,
    ``upper`` or ``dash`` form)."""
    profiles = {k: dict(v) for k, v in PROFILES.items()}
    for line in profile_lines:
        if line.strip():
            name, values = parse_profile_line(line)
            profiles[name] = values
    chosen = profile or "default"
    if chosen not in profiles:
        raise SettingError(f"aioctx profile {chosen!r} is not defined; known: "
                           f"{', '.join(profiles)}")
    values = dict(profiles[chosen])
    sources = {k: f"profile {chosen}" for k in values}
    for label, given in layers:
        for name, raw in given.items():
            if raw is None or raw == "":
                continue
            where = label.format(name=name, upper=name.upper(),
                                 dash=name.replace("_", "-"))
            if isinstance(raw, str):
                values[name] = parse_value(where, name, raw)
            else:
                check(where, name, raw)
                values[name] = raw
            sources[name] = where
    return Overrides(chosen, values, sources)


def environment() -> dict[str, str]:
    """The ``AIOCTX_<OPTION>`` variables that are set, by option name."""
    return {name: os.environ[ENV_PREFIX + name.upper()] for name in OVERRIDABLE
            if os.environ.get(ENV_PREFIX + name.upper())}


def resolve(where: str, given: dict[str, Any], over: Overrides) -> dict[str, Any]:
    """A race test's options: defaults, its marker's, then the run's overrides."""
    unknown = [k for k in given if k not in OPTIONS]
    if unknown:
        raise SettingError(f"{where}: unknown aioctx option(s) {', '.join(unknown)}; "
                           f"known: {', '.join(OPTIONS)}")
    for name, value in given.items():
        if name in INTS or name in ("engine", "memory_model"):
            check(f"{where}: {name}", name, value)
    return over.apply({**DEFAULTS, **given})


def budgets(opts: dict[str, Any]) -> tuple[int, int]:
    """(runs, most executions) for ``sim.explore``: ``runs`` caps every strategy;
    without it, sampling strategies take SAMPLED_RUNS and systematic ones cover their
    space (up to SYSTEMATIC_CAP executions)."""
    runs = opts["runs"]
    if runs is None:
        return SAMPLED_RUNS, SYSTEMATIC_CAP
    return runs, runs
