# SPDX-License-Identifier: MIT
"""Built-in functions: their static signatures and their (unknown-aware) implementations."""
from __future__ import annotations

import calendar
import datetime
import math
from fractions import Fraction

from engine.base.words import Words, words
from engine.lang import types as T

MAX_MAGNITUDE = 10 ** 30  # no operator may build a number larger than this (see docs/errors.md)


class EvalError(Exception):
    """A failure while evaluating, such as division by zero."""

    def __init__(self, code: str, message: Words, node=None):
        super().__init__(message.text("en"))
        self.code = code
        self.words = message
        self.node = node


def check_magnitude(x):
    if x is not None and not isinstance(x, bool) and isinstance(x, (int, Fraction)):
        if abs(x) > MAX_MAGNITUDE or (isinstance(x, Fraction) and x.denominator > MAX_MAGNITUDE):
            raise EvalError("number_too_large", words("diag.number_too_large.computed", number=f"{float(x):.3e}"))
    return x


STRUCT = (list, tuple, dict)


def equal(a, b):
    """Kleene ==: unknown when an unknown inside a list or record could decide it."""
    if a is None or b is None:
        return None
    if type(a) in STRUCT or type(b) in STRUCT:
        if isinstance(a, dict) and isinstance(b, dict):
            if a.keys() != b.keys():
                return False
            pairs = [(a[k], b[k]) for k in a]
        elif isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
            if len(a) != len(b):
                return False
            pairs = list(zip(a, b))
        else:
            return False
        result = True
        for x, y in pairs:
            e = equal(x, y)
            if e is False:
                return False
            if e is None:
                result = None
        return result
    return a == b


def not_equal(a, b):
    e = equal(a, b)
    return None if e is None else not e


def member(x, xs):
    """Kleene membership: true if found, unknown if not found but some element could be it."""
    if type(x) in STRUCT:
        found = [equal(x, e) for e in xs]
        return True if True in found else (None if None in found else False)
    if x in xs:
        return True
    return None if None in xs else False


def not_member(x, xs):
    m = member(x, xs)
    return None if m is None else not m


def norm(q):
    """A Fraction that is whole becomes an int."""
    if isinstance(q, Fraction) and q.denominator == 1:
        return q.numerator
    return q


def divide(a, b):
    if b == 0:
        raise EvalError("division_by_zero", words("diag.division_by_zero"))
    if type(a) is int and type(b) is int:
        q, r = divmod(a, b)
        return q if r == 0 else Fraction(a, b)
    return norm(Fraction(a) / Fraction(b))


def _trunc_to(x, unit, up: bool):
    if unit is None or x is None:
        return None
    if unit <= 0:
        raise EvalError("bad_argument", words("diag.bad_argument.unit", unit=unit))
    q = Fraction(x) / Fraction(unit)
    n = math.trunc(q)
    if up and n != q:
        n += 1 if q > 0 else -1
    return norm(n * Fraction(unit))


def round_down(x, unit):
    return _trunc_to(x, unit, False)


def round_up(x, unit):
    return _trunc_to(x, unit, True)


def add_months(d: datetime.date, n: int) -> datetime.date:
    """Same day n months on; the month's last day where it has no such day (Civil Code 143(2))."""
    total = d.year * 12 + (d.month - 1) + n
    y, m = divmod(total, 12)
    if not 1 <= y <= 9999:
        raise EvalError("date_out_of_range", words("diag.date_out_of_range"))
    last = calendar.monthrange(y, m + 1)[1]
    return datetime.date(y, m + 1, min(d.day, last))


def add_days(d: datetime.date, n: int) -> datetime.date:
    try:
        return d + datetime.timedelta(days=n)
    except OverflowError:
        raise EvalError("date_out_of_range", words("diag.date_out_of_range")) from None


PERIOD_UNITS = ("days", "months", "years")
PERIOD_FUNCS = ("period_end", "period_end_counting_from")


def period_end(d: datetime.date, n: int, unit: str) -> datetime.date:
    """Last day of a period of n days, months or years from the day d, as the Civil Code counts.

    民法140: d itself is not counted (the period begins on the next day). 民法143: months and years
    follow the calendar and end the day before the day corresponding to the first day, or at the
    end of the last month when it has no such day. A completion on 2023-02-28 starts a five-year
    count on 2023-03-01, which ends on 2028-02-29.
    """
    _period_args(n, unit, "period_end")
    if unit == "days":
        return add_days(d, n)
    return _calendar_period_end(add_days(d, 1), n * (12 if unit == "years" else 1))


def period_end_counting_from(d: datetime.date, n: int, unit: str) -> datetime.date:
    """Last day of a period counted from d as its first day (「dから起算して」, or a period that
    begins at 0:00 on d, 民法140 ただし書): 30 days counted from 2022-12-01 end on 2022-12-30."""
    _period_args(n, unit, "period_end_counting_from")
    if unit == "days":
        return add_days(d, n - 1)
    return _calendar_period_end(d, n * (12 if unit == "years" else 1))


def _calendar_period_end(first: datetime.date, months: int) -> datetime.date:
    """民法143(2): the day before the day corresponding to `first`, `months` on; else that month's last day."""
    total = first.year * 12 + (first.month - 1) + months
    y, m = divmod(total, 12)
    if not 1 <= y <= 9999:
        raise EvalError("date_out_of_range", words("diag.date_out_of_range"))
    last = calendar.monthrange(y, m + 1)[1]
    if first.day > last:
        return datetime.date(y, m + 1, last)
    return add_days(datetime.date(y, m + 1, first.day), -1)


def _period_args(n: int, unit: str, name: str) -> None:
    if unit not in PERIOD_UNITS:
        raise EvalError("bad_argument", words("diag.bad_argument.period_unit", func=name, unit=unit))
    if n < 1:
        raise EvalError("bad_argument", words("diag.bad_argument.period_length", func=name, unit=unit, n=n))


def fiscal_year(d: datetime.date) -> int:
    return d.year if d.month >= 4 else d.year - 1


def make_date(y, m, d):
    try:
        return datetime.date(int(y), int(m), int(d))
    except (ValueError, OverflowError):
        raise EvalError("bad_argument", words("diag.bad_argument.date", args=f"{y}, {m}, {d}")) from None


def _minmax(pick):
    def f(*xs):
        if len(xs) == 1 and isinstance(xs[0], (list, tuple)):
            xs = xs[0]
        if not xs:
            raise EvalError("empty_aggregate", words("diag.empty_aggregate.min_max"))
        if any(x is None for x in xs):
            return None
        return pick(xs)
    return f


def first(xs):
    """The first element of a list; an empty list is an error (test it with empty(xs))."""
    if not xs:
        raise EvalError("empty_aggregate", words("diag.empty_aggregate.first"))
    return xs[0]


def _strict(fn):
    """Unknown in, unknown out."""
    def f(*xs):
        for x in xs:
            if x is None:
                return None
        return fn(*xs)
    f.__name__ = fn.__name__
    return f


# name -> (implementation, handles_unknown_itself)
IMPLS = {
    "min": (_minmax(min), True),
    "max": (_minmax(max), True),
    "abs": (_strict(abs), True),
    "floor": (_strict(math.floor), True),
    "ceil": (_strict(math.ceil), True),
    "round_down": (round_down, True),
    "round_up": (round_up, True),
    "date": (_strict(make_date), True),
    "add_days": (_strict(add_days), True),
    "add_months": (_strict(add_months), True),
    "add_years": (_strict(lambda d, n: add_months(d, 12 * n)), True),
    "days_between": (_strict(lambda a, b: (b - a).days), True),
    "period_end": (_strict(period_end), True),
    "period_end_counting_from": (_strict(period_end_counting_from), True),
    "fiscal_year": (_strict(fiscal_year), True),
    "fiscal_year_start": (_strict(lambda d: datetime.date(fiscal_year(d), 4, 1)), True),
    "fiscal_year_end": (_strict(lambda d: datetime.date(fiscal_year(d) + 1, 3, 31)), True),
    "sum": (_strict(lambda xs: norm(sum(xs, 0)) if None not in xs else None), True),
    "count": (_strict(lambda xs: len(xs)), True),
    "any": (_strict(lambda xs: True if True in xs else (None if None in xs else False)), True),
    "all": (_strict(lambda xs: False if False in xs else (None if None in xs else True)), True),
    "first": (_strict(first), True),
    "empty": (_strict(lambda xs: len(xs) == 0), True),
}

# name -> (min args, max args or None)
ARITY = {
    "min": (1, None), "max": (1, None), "abs": (1, 1), "floor": (1, 1), "ceil": (1, 1),
    "round_down": (2, 2), "round_up": (2, 2), "date": (3, 3), "add_days": (2, 2), "add_months": (2, 2),
    "add_years": (2, 2), "days_between": (2, 2), "fiscal_year": (1, 1), "fiscal_year_start": (1, 1),
    "fiscal_year_end": (1, 1), "sum": (1, 1), "count": (1, 1), "any": (1, 1), "all": (1, 1),
    "first": (1, 1), "empty": (1, 1), "period_end": (3, 3), "period_end_counting_from": (3, 3),
}

NAMES = frozenset(IMPLS)


def signature(name: str, args: list[T.Type]):
    """Result type of a call, or (argument index, expected description) when an argument is wrong."""
    num = T.is_numeric
    if name in ("min", "max"):
        if len(args) == 1:
            a = args[0]
            if a.kind == "list" and (num(a.elem) or a.elem.kind == "date"):
                return a.elem
            return (0, "a list of numbers or dates")
        if all(a.kind == "date" or a.kind == "any" for a in args) and any(a.kind == "date" for a in args):
            return T.DATE
        for i, a in enumerate(args):
            if not num(a):
                return (i, "number")
        return T.INT if all(a.kind == "int" for a in args) else T.NUMBER
    if name == "abs":
        return args[0] if num(args[0]) else (0, "number")
    if name in ("floor", "ceil"):
        return T.INT if num(args[0]) else (0, "number")
    if name in ("round_down", "round_up"):
        for i, a in enumerate(args):
            if not num(a):
                return (i, "number")
        return T.INT if args[1].kind == "int" else T.NUMBER
    if name == "date":
        for i, a in enumerate(args):
            if a.kind not in ("int", "any"):
                return (i, "integer")
        return T.DATE
    if name in ("add_days", "add_months", "add_years"):
        if args[0].kind not in ("date", "any"):
            return (0, "date")
        if args[1].kind not in ("int", "any"):
            return (1, "integer")
        return T.DATE
    if name in PERIOD_FUNCS:
        for i, want in enumerate(("date", "int", "text")):
            if args[i].kind not in (want, "any"):
                return (i, {"int": "integer"}.get(want, want))
        return T.DATE
    if name == "days_between":
        for i, a in enumerate(args):
            if a.kind not in ("date", "any"):
                return (i, "date")
        return T.INT
    if name in ("fiscal_year", "fiscal_year_start", "fiscal_year_end"):
        if args[0].kind not in ("date", "any"):
            return (0, "date")
        return T.INT if name == "fiscal_year" else T.DATE
    if name in ("sum", "count", "any", "all"):
        a = args[0]
        if a.kind not in ("list", "any"):
            return (0, "list")
        elem = a.elem if a.kind == "list" else T.ANY
        if name == "count":
            return T.INT
        if name == "sum":
            return elem if num(elem) and elem.kind != "any" else (T.INT if elem.kind == "any" else (0, "list of numbers"))
        return T.BOOL if elem.kind in ("bool", "any") else (0, "list of booleans")
    if name in ("first", "empty"):
        a = args[0]
        if a.kind not in ("list", "any"):
            return (0, "list")
        if name == "empty":
            return T.BOOL
        return a.elem if a.kind == "list" else T.ANY
    raise KeyError(name)
