"""How ``aioctx regress`` shows its rows: the text table, the JSON report, the HTML report
(with the swimlane pictures inlined, so the file stands alone).

The text table has fixed column widths, since rows print as they finish.  Piped, it is
printed whole (``full_columns``: what each check shows before it runs is never cut);
on a terminal ``fit_columns`` drops the least important columns and narrows the widest
so that a line does not wrap.
"""

from __future__ import annotations

import html
import json
import os
from typing import Any

from . import __version__
from .catalogue import Uncovered
from .progress import format_seconds
from .regress import ERROR, FAIL, PASS, Check, Row

#: (title, attribute, width) of the text table's columns
COLUMNS = [("", "status", 4), ("entry", "entry", 36), ("variant", "variant", 22),
           ("check", "what", 10), ("expected", "expected", 29), ("got", "got", 38),
           ("states/executions", "size", 18), ("search bound", "bound", 38),
           ("seconds", "seconds", 7)]
MARKS = {PASS: "ok", FAIL: "FAIL", ERROR: "ERR"}
#: columns a narrow terminal goes without, least missed first ("ok" says what
#: "expected" would)
DROP = ("expected", "bound", "size", "seconds")
#: columns a narrow terminal narrows, in order, and the width each keeps (the entry
#: twice: a little before "got" loses its "at execution N", more after); the first
#: two are narrowed before a column is dropped, the rest only after
NARROW = (("variant", 9), ("entry", 30), ("got", 28), ("entry", 22), ("what", 8))

Column = tuple[str, str, int]


def _span(columns: list[Column]) -> int:
    return sum(w for _t, _a, w in columns) + 2 * (len(columns) - 1)


def _narrowed(columns: list[Column], width: int,
              narrow: tuple[tuple[str, int], ...]) -> list[Column]:
    widths = {attr: w for _t, attr, w in columns}
    excess = _span(columns) - width
    for attr, least in narrow:
        if excess <= 0:
            break
        if attr in widths:
            cut = max(0, min(excess, widths[attr] - least))
            widths[attr] -= cut
            excess -= cut
    return [(t, attr, widths[attr]) for t, attr, _w in columns]


def fit_columns(width: int) -> list[Column]:
    """The table's columns for a terminal ``width`` characters wide: the least
    important dropped and the widest narrowed until a line fits (or nothing is left
    to take: then the line is as short as it gets)."""
    columns = list(COLUMNS)
    drops = list(DROP)
    while drops and _span(_narrowed(columns, width, NARROW[:2])) > width:
        dropped = drops.pop(0)
        columns = [c for c in columns if c[1] != dropped]
    return _narrowed(columns, width, NARROW)


#: the columns whose every cell is known from the plan, before a check runs
KNOWN = ("entry", "variant", "what", "expected", "bound")


def full_columns(checks: list[Check]) -> list[Column]:
    """The columns of a piped table: ``COLUMNS``, each column whose cells are known
    from the plan widened so that none of them is cut (an uncovered bug's line runs
    across the columns and does not count)."""
    planned = [c for c in checks if not isinstance(c.job, Uncovered)]
    widest = {attr: max((len(str(getattr(c, attr))) for c in planned), default=0)
              for attr in KNOWN}
    return [(t, attr, max(w, widest.get(attr, 0))) for t, attr, w in COLUMNS]


def _cell(row: Row, attr: str) -> str:
    if attr == "status":
        return MARKS.get(row.status, "--")
    if attr == "seconds":
        return f"{row.seconds:.1f}" if row.got != "-" else ""
    return str(getattr(row, attr))


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "~"


def header(columns: list[Column] = COLUMNS) -> str:
    cols = "  ".join(_fit(t, w).ljust(w) for t, _a, w in columns).rstrip()
    return cols + "\n" + "-" * len(cols)


def format_check(check: Check, columns: list[Column] = COLUMNS) -> str:
    """A line of ``--list``: what the table shows of a check before it runs, in the
    table's column widths (nothing cut)."""
    widths = {attr: w for _t, attr, w in columns}
    cells = [(check.entry, "entry"), (check.variant, "variant"), (check.what, "what"),
             (check.expected, "expected"), (check.bound, "bound")]
    return "  ".join(text.ljust(widths[attr]) for text, attr in cells).rstrip()


def format_row(row: Row, columns: list[Column] = COLUMNS) -> str:
    """One table line; an uncovered bug prints its reason across the result columns."""
    if row.got == "-":
        entry = next(w for _t, a, w in columns if a == "entry")
        line = f"{'--':4}  {_fit(row.entry, entry).ljust(entry)}  {row.expected}"
        return _fit(line, _span(columns))
    return "  ".join(_fit(_cell(row, a), w).ljust(w) if a != "seconds"
                     else _cell(row, a).rjust(w) for _t, a, w in columns).rstrip()


def report(rows: list[Row], seconds: float, budget: str, workers: int) -> dict[str, Any]:
    from .regress import summary

    return {
        "aioctx": __version__,
        "budget": budget,
        "workers": workers,
        "seconds": round(seconds, 1),
        "summary": summary(rows),
        "rows": [{
            "section": r.section, "entry": r.entry, "variant": r.variant, "check": r.what,
            "expected": r.expected, "got": r.got, "status": r.status, "size": r.size,
            "bound": r.bound, "seconds": round(r.seconds, 2), "pictures": r.pictures,
            "schedule": r.schedule, "replay": replay_command(r),
            "trace": r.trace,
        } for r in rows],
    }


def replay_command(row: Row) -> str:
    """The command that replays a row's counterexample ('' when it has none)."""
    return f"aioctx replay {row.schedule}" if row.schedule else ""


def write_json(path: str, doc: dict[str, Any]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


_STYLE = """
body { font-family: sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: left; }
th { background: #f3f3f3; }
tr.pass td.status { color: #1a7f37; } tr.FAIL td { background: #ffe3e3; }
tr.uncovered td { color: #888; }
td.num { text-align: right; }
details { margin: 0.6em 0; } pre { font-size: 11px; overflow-x: auto; }
h2 { margin-top: 1.5em; } .pic svg { max-width: 100%; height: auto; }
"""


def write_html(path: str, doc: dict[str, Any]) -> None:
    """A self-contained page: the summary, the table, then each caught counterexample
    with its swimlane (the SVG inlined) and its readable trace."""
    esc = html.escape
    s = doc["summary"]
    out = ["<!DOCTYPE html><html><head><meta charset='utf-8'>",
           "<title>aioctx regress</title>", f"<style>{_STYLE}</style></head><body>",
           "<h1>aioctx regress</h1>",
           f"<p>{s['passed']} of {s['checks']} checks as expected"
           f"{', <b>' + str(len(s['failed'])) + ' FAILED</b>' if s['failed'] else ''}"
           f"{', <b>' + str(len(s['errors'])) + ' crashed</b>' if s['errors'] else ''}; "
           f"{len(s['uncovered'])} catalogue bugs not covered; "
           f"{esc(format_seconds(doc['seconds']))} on {doc['workers']} worker(s).</p>",
           f"<p>{esc(doc['budget'])}</p>"]
    section = None
    for r in doc["rows"]:
        if r["section"] != section:
            if section is not None:
                out.append("</table>")
            section = r["section"]
            out.append(f"<h2>{esc(section)}</h2><table><tr>"
                       + "".join(f"<th>{esc(t or 'status')}</th>" for t, _a, _w in COLUMNS)
                       + "</tr>")
        cls = {PASS: "pass", FAIL: "FAIL", ERROR: "FAIL"}.get(r["status"], "uncovered")
        link = (f"<a href='#{_anchor(r)}'>{esc(r['got'])}</a>" if r["trace"]
                else esc(r["got"]))
        out.append(
            f"<tr class='{cls}'><td class='status'>{esc(MARKS.get(r['status'], '--'))}</td>"
            f"<td>{esc(r['entry'])}</td><td>{esc(r['variant'])}</td>"
            f"<td>{esc(r['check'])}</td><td>{esc(r['expected'])}</td><td>{link}</td>"
            f"<td class='num'>{esc(r['size'])}</td><td>{esc(r['bound'])}</td>"
            f"<td class='num'>{r['seconds'] if r['got'] != '-' else ''}</td></tr>")
    if section is not None:
        out.append("</table>")
    out.append("<h2>Counterexamples</h2>")
    for r in doc["rows"]:
        if not r["trace"]:
            continue
        title = f"{r['entry']} [{r['variant']}] {r['check']}: {r['got']}"
        out.append(f"<details id='{_anchor(r)}'><summary>{esc(title)}</summary>")
        for pic in r["pictures"]:
            if pic.endswith(".svg") and os.path.exists(pic):
                with open(pic, encoding="utf-8") as f:
                    svg = f.read()
                out.append(f"<div class='pic'>{svg[svg.find('<svg'):]}</div>")
        if r.get("replay"):
            out.append(f"<p>replay it: <code>{esc(r['replay'])}</code> (schedule "
                       f"<a href='{esc(os.path.basename(r['schedule']))}'>"
                       f"{esc(r['schedule'])}</a>)</p>")
        out.append(f"<pre>{esc(r['trace'])}</pre></details>")
    out.append("</body></html>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out))


def _anchor(r: dict[str, Any]) -> str:
    return "cx-" + "".join(c if c.isalnum() else "-" for c in
                           f"{r['entry']}-{r['variant']}-{r['check']}")
