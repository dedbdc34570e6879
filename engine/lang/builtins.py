# SPDX-License-Identifier: MIT
"""Built-in functions: one record each, with its arity, static signature and (unknown-aware) implementation."""
from __future__ import annotations

import calendar
import datetime
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

from engine.base.limits import MAX_MAGNITUDE, number_too_large
from engine.base.words import Words, words
from engine.lang import types as T


class EvalError(Exception):
    """A failure while evaluating, such as division by zero."""

    def __init__(self, code: str, message: Words, node=None):
        super().__init__(message.text("en"))
        self.code = code
        self.words = message
        self.node = node


def check_magnitude(x):
    """x itself, or number_too_large when it is beyond MAX_MAGNITUDE (engine/base/limits.py)."""
    if x is not None and number_too_large(x):
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
    y, m = _month_on(d, n)
    return datetime.date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def _month_on(d: datetime.date, n: int) -> tuple[int, int]:
    """The year and month n months after d's month."""
    y, m = divmod(d.year * 12 + (d.month - 1) + n, 12)
    if not 1 <= y <= 9999:
        raise EvalError("date_out_of_range", words("diag.date_out_of_range"))
    return y, m + 1


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
    return calendar_period_end(add_days(d, 1), n * (12 if unit == "years" else 1))


def period_end_counting_from(d: datetime.date, n: int, unit: str) -> datetime.date:
    """Last day of a period counted from d as its first day (「dから起算して」, or a period that
    begins at 0:00 on d, 民法140 ただし書): 30 days counted from 2022-12-01 end on 2022-12-30."""
    _period_args(n, unit, "period_end_counting_from")
    if unit == "days":
        return add_days(d, n - 1)
    return calendar_period_end(d, n * (12 if unit == "years" else 1))


def calendar_period_end(first: datetime.date, months: int) -> datetime.date:
    """民法143(2): the day before the day corresponding to `first`, `months` on; else that month's last day."""
    y, m = _month_on(first, months)
    if first.day <= 28:  # every month has the day
        return add_days(datetime.date(y, m, first.day), -1)
    last = calendar.monthrange(y, m)[1]
    if first.day > last:
        return datetime.date(y, m, last)
    return add_days(datetime.date(y, m, first.day), -1)


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


# Signatures: each takes the argument types and returns the result type, or (argument index, what
# was expected) for the first wrong argument. The expectations are words keys of engine/lang/checks.py.
Signature = Callable[[list[T.Type]], "T.Type | tuple[int, str]"]


def _takes(*kinds: str, result: T.Type) -> Signature:
    """Fixed positional kinds ("int", "date", "text"; "any" always matches) and one result type."""
    said = {"int": "integer"}

    def sig(args):
        for i, (a, want) in enumerate(zip(args, kinds)):
            if a.kind not in (want, "any"):
                return (i, said.get(want, want))
        return result
    return sig


def _min_max(args):
    num = T.is_numeric
    if len(args) == 1:
        a = args[0]
        if a.kind == "list" and (num(a.elem) or a.elem.kind == "date"):
            return a.elem
        return (0, "a list of numbers or dates")
    if all(a.kind in ("date", "any") for a in args) and any(a.kind == "date" for a in args):
        return T.DATE
    for i, a in enumerate(args):
        if not num(a):
            return (i, "number")
    return T.INT if all(a.kind == "int" for a in args) else T.NUMBER


def _abs(args):
    return args[0] if T.is_numeric(args[0]) else (0, "number")


def _to_int(args):
    return T.INT if T.is_numeric(args[0]) else (0, "number")


def _rounding(args):
    for i, a in enumerate(args):
        if not T.is_numeric(a):
            return (i, "number")
    return T.INT if args[1].kind == "int" else T.NUMBER


def _of_list(result: Callable[[T.Type], "T.Type | tuple[int, str]"]) -> Signature:
    """One list argument; `result` maps its element type to the result."""
    def sig(args):
        a = args[0]
        if a.kind not in ("list", "any"):
            return (0, "list")
        return result(a.elem if a.kind == "list" else T.ANY)
    return sig


def _sum_of(elem):
    if elem.kind == "any":
        return T.INT
    return elem if T.is_numeric(elem) else (0, "list of numbers")


def _truth_of(elem):
    return T.BOOL if elem.kind in ("bool", "any") else (0, "list of booleans")


@dataclass(frozen=True)
class Builtin:
    """A built-in function: everything the checker, the evaluators and the editor need, in one place."""

    name: str
    impl: Callable  # takes evaluated arguments (None = unknown) and returns the value or None
    min_args: int
    max_args: int | None  # None: any number of arguments from min_args
    signature: Signature


def _b(name, impl, arity, signature):
    lo, hi = arity
    return Builtin(name, impl, lo, hi, signature)


_DATE_TO_DATE = _takes("date", result=T.DATE)
_DATE_INT = _takes("date", "int", result=T.DATE)
_PERIOD = _takes("date", "int", "text", result=T.DATE)

BUILTINS: dict[str, Builtin] = {b.name: b for b in [
    _b("min", _minmax(min), (1, None), _min_max),
    _b("max", _minmax(max), (1, None), _min_max),
    _b("abs", _strict(abs), (1, 1), _abs),
    _b("floor", _strict(math.floor), (1, 1), _to_int),
    _b("ceil", _strict(math.ceil), (1, 1), _to_int),
    _b("round_down", round_down, (2, 2), _rounding),
    _b("round_up", round_up, (2, 2), _rounding),
    _b("date", _strict(make_date), (3, 3), _takes("int", "int", "int", result=T.DATE)),
    _b("add_days", _strict(add_days), (2, 2), _DATE_INT),
    _b("add_months", _strict(add_months), (2, 2), _DATE_INT),
    _b("add_years", _strict(lambda d, n: add_months(d, 12 * n)), (2, 2), _DATE_INT),
    _b("days_between", _strict(lambda a, b: (b - a).days), (2, 2), _takes("date", "date", result=T.INT)),
    _b("period_end", _strict(period_end), (3, 3), _PERIOD),
    _b("period_end_counting_from", _strict(period_end_counting_from), (3, 3), _PERIOD),
    _b("fiscal_year", _strict(fiscal_year), (1, 1), _takes("date", result=T.INT)),
    _b("fiscal_year_start", _strict(lambda d: datetime.date(fiscal_year(d), 4, 1)), (1, 1), _DATE_TO_DATE),
    _b("fiscal_year_end", _strict(lambda d: datetime.date(fiscal_year(d) + 1, 3, 31)), (1, 1), _DATE_TO_DATE),
    _b("sum", _strict(lambda xs: norm(sum(xs, 0)) if None not in xs else None), (1, 1), _of_list(_sum_of)),
    _b("count", _strict(len), (1, 1), _of_list(lambda elem: T.INT)),
    _b("any", _strict(lambda xs: True if True in xs else (None if None in xs else False)), (1, 1), _of_list(_truth_of)),
    _b("all", _strict(lambda xs: False if False in xs else (None if None in xs else True)), (1, 1), _of_list(_truth_of)),
    _b("first", _strict(first), (1, 1), _of_list(lambda elem: elem)),
    _b("empty", _strict(lambda xs: len(xs) == 0), (1, 1), _of_list(lambda elem: T.BOOL)),
]}

NAMES = frozenset(BUILTINS)


def signature(name: str, args: list[T.Type]):
    """Result type of a call, or (argument index, expected description) when an argument is wrong."""
    return BUILTINS[name].signature(args)
