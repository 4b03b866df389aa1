"""What a schedule document may hold, checked before anything in it is used.

A schedule is data from a file a user was given: every field is checked for its type
and range against a JSON Schema (``SCHEMA``, validated with the ``jsonschema``
library), and the JSON text itself is read within bounds (a regular file of at most
``MAX_BYTES``, UTF-8, no NaN/Infinity, no number longer than ``MAX_DIGITS`` digits,
no nesting deeper than the JSON reader can follow).  A document that fails any check
is refused with one line naming the file and the field (``run.json: decisions[3]: -1
is less than the minimum 0``); nothing of it runs.

The document names a program (``"program"``) only as a record of where it came from:
no reader imports it (``aioctx replay`` runs a catalogue scenario, or the program the
user names with ``--program``; the pytest plugin runs the test it was saved for).
"""

from __future__ import annotations

import json
import math
import os
import stat
from typing import Any

#: the largest schedule file read (hunt writes a few hundred kilobytes at most)
MAX_BYTES = 64 << 20
#: the longest number taken in a schedule (decisions, steps and counts are far shorter)
MAX_DIGITS = 20
#: bounds of the numbers a schedule holds
MAX_STEPS = 100_000_000
MAX_THREADS = 100_000

_TEXT = {"type": "string", "maxLength": 100_000}
_NAME = {"type": "string", "maxLength": 1_000}
_COUNT = {"type": "integer", "minimum": 0, "maximum": MAX_STEPS}

#: A step row: (thread number, operation, object, label or null, file:line).
_STEP = {
    "type": "array", "minItems": 5, "maxItems": 5,
    "prefixItems": [{"type": "integer", "minimum": -1, "maximum": MAX_THREADS},
                    _TEXT, _TEXT, {"type": ["string", "null"], "maxLength": 100_000},
                    _TEXT],
}

_FAILURE = {
    "type": ["object", "null"],
    "required": ["kind"],
    "additionalProperties": False,
    "properties": {
        "kind": {"type": "string", "minLength": 1, "maxLength": 100},
        "message": _TEXT,
        "thread": {"type": ["string", "null"], "maxLength": 1_000},
        "where": {"type": ["string", "null"], "maxLength": 100_000},
        "step": _COUNT,
        "blocked": {"type": "array", "maxItems": MAX_THREADS,
                    "items": {"type": "array", "minItems": 3, "maxItems": 3,
                              "items": _TEXT}},
    },
}

#: Version 1: decisions are thread numbers (sequential consistency).
SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    # what a replay needs; the rest has defaults (engine "fiber", max_steps 20,000, no
    # failure recorded, no steps to compare)
    "required": ["format", "version", "decisions"],
    "additionalProperties": False,
    "properties": {
        "format": {"const": "aioctx.sim.schedule"},
        "version": {"const": 1},
        "program": _NAME,
        "engine": {"enum": ["fiber", "thread"]},
        "max_steps": {"type": "integer", "minimum": 1, "maximum": MAX_STEPS},
        "threads": {"type": "array", "maxItems": MAX_THREADS, "items": _NAME},
        "preemptions": _COUNT,
        "decisions": {"type": "array", "maxItems": MAX_STEPS,
                      "items": {"type": "integer", "minimum": 0,
                                "maximum": MAX_THREADS}},
        "failure": _FAILURE,
        "steps": {"type": "array", "maxItems": MAX_STEPS, "items": _STEP},
        # a run with a scheduling point before every line of the program
        "line_level": {"type": "boolean"},
        # written by ``aioctx hunt``: the catalogue scenario and its variant
        "scenario": {"type": "object", "required": ["slug", "buggy"],
                     "additionalProperties": False,
                     "properties": {"slug": {"type": "string", "pattern": "^[a-z0-9-]+$",
                                             "maxLength": 200},
                                    "buggy": {"type": "boolean"}}},
        # written by the pytest plugin: the test it was saved for, passing replays since
        "test": {"type": "string", "maxLength": 10_000},
        "passing_runs": _COUNT,
    },
}


#: Version 2: a schedule under a weak memory model (``"memory_model"``, required) whose
#: decisions may also be flushes of buffered stores ("f1", "f1:7").
SCHEMA_V2: dict[str, Any] = {
    **SCHEMA,
    "required": [*SCHEMA["required"], "memory_model"],
    "properties": {
        **SCHEMA["properties"],
        "version": {"const": 2},
        "memory_model": {"enum": ["tso", "arm"]},
        "decisions": {"type": "array", "maxItems": MAX_STEPS,
                      "items": {"anyOf": [
                          {"type": "integer", "minimum": 0, "maximum": MAX_THREADS},
                          {"type": "string", "pattern": "^f[0-9]{1,9}(:[0-9]{1,9})?$"}]}},
    },
}
SCHEMAS = {1: SCHEMA, 2: SCHEMA_V2}


class SchemaError(ValueError):
    """The document or its text is not a schedule; the message is one line without the
    file's name, which ``located`` puts in front (with the line and column in the text,
    when the error has them)."""

    def __init__(self, message: str, position: str = "") -> None:
        super().__init__(message)
        self.position = position

    def located(self, where: str) -> str:
        at = f"{where}:{self.position}" if self.position else where
        return f"{at}: {self}"


def read_text(path: str) -> str:
    """The text of a schedule file: a regular file (a FIFO would block the read,
    /dev/zero would fill the memory) of at most ``MAX_BYTES``, in UTF-8."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise SchemaError(f"cannot read: {exc.strerror}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise SchemaError("not a regular file (a schedule is a JSON file)")
        data = os.read(fd, MAX_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) > MAX_BYTES:
        raise SchemaError(f"larger than {MAX_BYTES >> 20} MiB: not a schedule aioctx wrote")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SchemaError(f"not a schedule: byte {exc.start} is not UTF-8 text") from None


def _constant(name: str) -> Any:
    raise SchemaError(f"{name} is not a number JSON allows")


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise SchemaError(f"a number of {len(text.lstrip('-'))} digits (at most "
                          f"{MAX_DIGITS} in a schedule)")
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise SchemaError(f"{text[:40]} is out of range")
    return value


def parse(text: str) -> Any:
    """JSON text as data, within the bounds above; a position in the text when it is not
    JSON (``3:14: not JSON: Expecting ','``)."""
    try:
        return json.loads(text, parse_constant=_constant, parse_int=_integer,
                          parse_float=_float)
    except json.JSONDecodeError as exc:
        raise SchemaError(f"not JSON: {exc.msg}", f"{exc.lineno}:{exc.colno}") from None
    except RecursionError:
        raise SchemaError("nested deeper than a schedule ever is (not a schedule "
                          "aioctx wrote)") from None


def shown(value: Any) -> str:
    """A value as it appears in a message: JSON, cut to a readable length."""
    try:
        text = json.dumps(value)
    except (TypeError, ValueError, RecursionError):
        text = type(value).__name__
    return text if len(text) <= 60 else text[:57] + "..."


_JSON_TYPES = ((bool, "a boolean"), (int, "an integer"), (float, "a number"),
               (str, "a string"), (list, "a list"), (dict, "an object"),
               (type(None), "null"))


_TYPE_NAMES = {"boolean": "true or false", "integer": "a whole number", "number": "a number",
               "string": "a string", "array": "a list", "object": "an object",
               "null": "null"}


def _kind(value: Any) -> str:
    for cls, name in _JSON_TYPES:
        if isinstance(value, cls):
            return name
    return type(value).__name__


def _describe(error: Any) -> str:
    """One jsonschema error as a short sentence (jsonschema's own messages quote the
    whole offending value, which may be megabytes)."""
    want, got = error.validator_value, error.instance
    if error.validator == "type":
        names = [want] if isinstance(want, str) else list(want)
        return f"should be {' or '.join(_TYPE_NAMES.get(n, n) for n in names)}, " \
            f"not {_kind(got)}"
    if error.validator in ("const", "enum"):
        allowed = [want] if error.validator == "const" else want
        return f"{shown(got)} is not {' or '.join(shown(a) for a in allowed)}"
    if error.validator in ("minimum", "maximum"):
        side = "less than the minimum" if error.validator == "minimum" else \
            "more than the maximum"
        return f"{shown(got)} is {side} {want:,}"
    if error.validator == "required":
        missing = [k for k in want if k not in got]
        return f"the field {missing[0]!r} is missing"
    if error.validator == "additionalProperties":
        extra = [k for k in got if k not in error.schema.get("properties", {})]
        return f"unknown field {shown(extra[0])}"
    if error.validator in ("maxItems", "minItems", "maxLength", "minLength"):
        what = "items" if error.validator.endswith("Items") else "characters"
        side = "at most" if error.validator.startswith("max") else "at least"
        return f"should have {side} {want:,} {what}, has {len(got):,}"
    if error.validator == "pattern":
        return f"{shown(got)} is not a catalogue slug" if "slug" in _where(error) else \
            f"{shown(got)} is not a flush ('f1', 'f1:7')"
    if error.validator == "anyOf":
        return f"{shown(got)} is neither a thread number nor a flush ('f1', 'f1:7')"
    return error.message[:200]


def _where(error: Any) -> str:
    path = ""
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
    return path or "the document"


def _validator(version: int) -> Any:
    import jsonschema

    base = jsonschema.Draft202012Validator
    # JSON Schema counts 1.0 as an integer and Python counts True as one: neither is a
    # thread number or a step count here
    types = base.TYPE_CHECKER.redefine(
        "integer", lambda _checker, v: isinstance(v, int) and not isinstance(v, bool))
    return jsonschema.validators.extend(base, type_checker=types)(SCHEMAS[version])


def check(doc: Any) -> None:
    """Refuse a document that does not fit ``SCHEMA``, naming the first field at fault
    (the most relevant one, as jsonschema's ``best_match`` ranks them)."""
    from jsonschema.exceptions import best_match

    error = best_match(_validator(doc["version"]).iter_errors(doc))
    if error is not None:
        raise SchemaError(f"{_where(error)}: {_describe(error)}")
