"""Hypothesis strategies for Promela text: models built from a grammar of the language
aioctx reads, and mutations of real models (the project's own and the test models).

The grammar half reaches past the parser (semantics, code generation, the search); the
mutation half covers what a grammar never writes (cut tokens, stray comment openers,
macros, binary bytes, deep nesting)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
MODELS = sorted(str(p) for p in [*ROOT.glob("promela/models/*.pml"),
                                 *ROOT.glob("tests/promela/models/*.pml")])

GLOBALS = ["a", "b", "c"]          # int
ARRAY = "arr"                      # byte arr[4]
CHANNEL = "q"                      # chan q = [2] of { int }
BINARY = ["+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>", "==", "!=", "<", ">", "<=",
          ">=", "&&", "||"]
NUMBERS = st.one_of(st.integers(-3, 9), st.sampled_from([255, 256, 2**31 - 1, -2**31,
                                                         2**40]))


def expressions(depth: int = 3) -> st.SearchStrategy[str]:
    leaves = st.one_of(NUMBERS.map(str), st.sampled_from(GLOBALS),
                       st.sampled_from(["_pid", "_nr_pr", "len(q)", "true", "false",
                                        f"{ARRAY}[0]", f"{ARRAY}[a % 4]"]))
    if depth <= 0:
        return leaves

    def grow(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(inner, st.sampled_from(BINARY), inner).map(lambda t: f"({t[0]} "
                                                                  f"{t[1]} {t[2]})"),
            st.tuples(st.sampled_from(["!", "-", "~"]), inner).map(lambda t: f"{t[0]} {t[1]}"),
            st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} -> {t[1]} : {t[2]})"),
            st.tuples(st.sampled_from(BINARY[:6]), st.integers(2, 60)).map(
                lambda t: "(" + f" {t[0]} ".join(["1"] * t[1]) + ")"))

    return st.recursive(leaves, grow, max_leaves=8)


TARGETS = st.sampled_from(GLOBALS + [f"{ARRAY}[1]", f"{ARRAY}[b % 4]"])


def statements(depth: int) -> st.SearchStrategy[str]:
    e = expressions()
    simple = st.one_of(
        st.tuples(TARGETS, e).map(lambda t: f"{t[0]} = {t[1]}"),
        TARGETS.map(lambda t: f"{t}++"),
        e.map(lambda x: f"assert({x})"),
        e.map(lambda x: f"{CHANNEL}!{x}"),
        TARGETS.map(lambda t: f"{CHANNEL}?{t}"),
        st.just("skip"),
        e.map(lambda x: f"({x})"),
        e.map(lambda x: f'printf("v=%d\\n", {x})'),
        st.sampled_from(["bump(a)", "bump(b)", "bump(3)", "run Worker()", "goto done",
                         "skip", "skip"]),
    )
    if depth <= 0:
        return simple
    inner = st.lists(statements(depth - 1), min_size=1, max_size=3).map("; ".join)
    option = st.tuples(e, inner).map(lambda t: f":: {t[0]} -> {t[1]}")
    options = st.lists(option, min_size=1, max_size=3).map(" ".join)
    return st.one_of(
        simple, simple,
        options.map(lambda o: f"if {o} :: else -> skip fi"),
        options.map(lambda o: f"do {o} :: break od"),
        inner.map(lambda b: f"atomic {{ {b} }}"),
        inner.map(lambda b: f"d_step {{ {b} }}"),
        inner.map(lambda b: f"{{ {b} }}"),
    )


@st.composite
def models(draw: st.DrawFn) -> str:
    """A whole model: declarations, an inline, one or two process types, init, and
    sometimes a macro, an ltl property or a never claim."""
    body = st.lists(statements(3), min_size=1, max_size=5).map("; ".join)
    parts = ["int a, b, c;", f"byte {ARRAY}[4];", f"chan {CHANNEL} = [2] of {{ int }};",
             "inline bump(v) { v = v + 1 }"]
    if draw(st.booleans()):
        parts.insert(0, f"#define LIMIT {draw(NUMBERS)}")
    copies = draw(st.integers(0, 2))
    parts.append(f"active [{copies}] proctype Worker() {{ {draw(body)}; done: skip }}"
                 if copies else f"proctype Worker() {{ {draw(body)}; done: skip }}")
    parts.append(f"init {{ {draw(body)}; done: skip }}")
    property_kind = draw(st.sampled_from(["", "", "ltl", "never"]))
    if property_kind == "ltl":
        parts.append(f"ltl p {{ [] ({draw(expressions(1))} || true) }}")
    elif property_kind == "never":
        parts.append("never { do :: skip :: (a > 5) -> break od }")
    return "\n".join(parts) + "\n"


#: fragments a mutation inserts: what breaks lexers, preprocessors and parsers
FRAGMENTS = ["{", "}", "(", ")", "::", "->", ";", "if", "fi", "do", "od", "atomic",
             "d_step", "inline", "proctype", "init", "never", "ltl", "/*", "*/", "//", '"',
             "'", "#define X X X", "#define F(a, ) a", "#if 1 << 99\n", "#endif\n",
             "#include \"nowhere.pml\"\n", "\\", "\x00", "\xff", "é", "99999999999999999999",
             "-", "!", "[", "]", "?", "!!", "??", "<", ">", "@", "_", "goto", "else",
             "unless", "run", "chan", "mtype", "typedef", "hidden", "{ " * 150, "(" * 150,
             " + 1" * 300]


@st.composite
def mutants(draw: st.DrawFn) -> str:
    """A real model, changed in one to four places."""
    text = Path(draw(st.sampled_from(MODELS))).read_text(encoding="utf-8")
    for _ in range(draw(st.integers(1, 4))):
        if not text:
            break
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 200)))
        kind = draw(st.sampled_from(["delete", "duplicate", "insert", "swap", "cut"]))
        if kind == "delete":
            text = text[:i] + text[j:]
        elif kind == "duplicate":
            text = text[:j] + text[i:j] + text[j:]
        elif kind == "insert":
            text = text[:i] + draw(st.sampled_from(FRAGMENTS)) + " " + text[i:]
        elif kind == "swap":
            k = draw(st.integers(j, min(len(text), j + 200)))
            text = text[:i] + text[j:k] + text[i:j] + text[k:]
        else:
            text = text[:i]
    return text
