"""Hypothesis strategies for hostile input: what a careless program, a pasted spreadsheet or an
attacker sends to a form or to the API."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

HUGE = 70_000  # longer than any column, shorter than the request body limit

MARKUP = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<b>bold</b>",
    "<para>ReportLab</para><font size=900>x</font>",
    "&amp;&lt;&#0;",
    "{{ 7*7 }}{% raw %}",
    "%s%s%n%(x)s{0}",
    '=HYPERLINK("http://x")',
    "' OR '1'='1",
    "'; DROP TABLE users; --",
    "1; SELECT pg_sleep(10)",
    "\\x00\\u0000",
    "../../../../etc/passwd",
    "javascript:alert(1)",
    "http://127.0.0.1:9/",
    "mailto:x@example.org",
    "@example.org",
]
UNICODE = [
    "Élodie Laurent-Ngũgĩ",
    "\u202eevil\u202c",  # right-to-left override
    "e\u0301\u0301\u0301",  # combining marks
    "😀👩‍👩‍👧‍👦🏳️‍🌈",
    "\ufeff\u200b\u200d",  # BOM, zero-width
    "𝕏" * 300,
    "\u0000",
    "a\u0000b",
    "\r\n\t\x0b\x0c",
    "\x1b[31mred",
    " ",
    "",
]
NUMBERS = [
    "0",
    "-1",
    "-0",
    "1e309",
    "-1e309",
    "NaN",
    "inf",
    "1.8e-250",
    "0.000000001",
    str(2**31),
    str(2**31 - 1),
    str(-(2**31) - 1),
    str(2**63),
    str(10**40),
    "1,5",
    " 12 ",
    "12abc",
    "0x1F",
    "١٢",  # Arabic-Indic digits
]
DATES = [
    "0000-00-00",
    "0001-01-01",
    "1899-12-31",
    "2101-01-01",
    "9999-12-31",
    "2026-02-30",
    "2026-13-01",
    "2026-1-1",
    "26-03-02",
    "2026-03-02T25:61:00",
    "-2026-03-02",
    "2026/03/02",
    "today",
]


# One value of each kind, sent in every field at once before the random examples: the
# cheap sweep that finds a missing bound whatever the number of examples.
SWEEP = ["x" * HUGE, "a\u0000b", str(2**63), "-1e309", "9999-12-31", "0000-00-00", MARKUP[1]]


def hostile_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(MARKUP),
        st.sampled_from(UNICODE),
        st.sampled_from(NUMBERS),
        st.sampled_from(DATES),
        st.text(max_size=40),  # any code point Hypothesis likes, surrogates aside
        st.builds(
            lambda c, n: c * n,
            st.sampled_from(["a", "é", "😀", "<"]),
            st.sampled_from([255, 256, 4_001, HUGE]),
        ),
    ).filter(lambda s: not any(0xD800 <= ord(c) <= 0xDFFF for c in s))


def hostile_scalar() -> st.SearchStrategy[Any]:
    """A JSON value of any type, mostly the wrong one."""
    return st.one_of(
        hostile_text(),
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.sampled_from([0, -1, 2**31, -(2**31) - 1, 2**63, 10**30]),
        st.floats(allow_nan=False, allow_infinity=False),
        st.sampled_from([1e308, -1e308, 1e-308, 0.5]),
    )


def hostile_json() -> st.SearchStrategy[Any]:
    return st.recursive(
        hostile_scalar(),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
        ),
        max_leaves=8,
    )


def form_submission(fields: dict[str, list[str]]) -> st.SearchStrategy[list[tuple[str, str]]]:
    """A submission of a form whose fields (name -> the values the page offered) are known:
    each field kept as offered, replaced by hostile text, left out or sent twice, and now and
    then a field the form does not have."""

    def one(name: str, offered: list[str]) -> st.SearchStrategy[list[tuple[str, str]]]:
        value = st.one_of(st.sampled_from(offered or [""]), hostile_text())
        return st.one_of(
            st.builds(lambda v: [(name, v)], value),
            st.just([]),  # missing
            st.builds(lambda a, b: [(name, a), (name, b)], value, value),  # duplicated
        )

    parts = [one(name, offered) for name, offered in sorted(fields.items())]
    extra = st.lists(
        st.tuples(st.sampled_from(["id", "user_id", "role", "is_admin", "x"]), hostile_text()),
        max_size=1,
    )
    return st.tuples(st.tuples(*parts) if parts else st.just(()), extra).map(
        lambda t: [pair for group in t[0] for pair in group] + t[1]
    )
