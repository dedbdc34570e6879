# SPDX-License-Identifier: MIT
"""Runtime values in JSON form: exact numbers, ISO dates, null for unknown."""
from __future__ import annotations

import datetime
from fractions import Fraction



_PLAIN = frozenset((type(None), bool, str, int))


def to_json(v):
    """A value in JSON form: exact numbers, ISO dates, null for unknown."""
    t = type(v)  # the exact types a value has, answered first (traces convert many values)
    if t in _PLAIN:
        return v
    if t is list or t is tuple:
        return [x if type(x) in _PLAIN else to_json(x) for x in v]
    if t is dict:
        return {k: x if type(x) in _PLAIN else to_json(x) for k, x in v.items()}
    if t is Fraction:
        return v.numerator if v.denominator == 1 else rational_text(v)
    if t is datetime.date:
        return v.isoformat()
    return _to_json(v)


def _to_json(v):
    """to_json by kind, for subclasses of the types above (a datetime is a date, a bool an int)."""
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, Fraction):
        return v.numerator if v.denominator == 1 else rational_text(v)
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, dict):
        return {k: to_json(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [to_json(x) for x in v]
    raise TypeError(f"no JSON form for {type(v).__name__}")


def rational_text(q: Fraction) -> str:
    """Exact decimal when it terminates ("0.8"), else "n/d"."""
    d = q.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    if d != 1:
        return f"{q.numerator}/{q.denominator}"
    sign = "-" if q < 0 else ""
    q = abs(q)
    whole, rest = divmod(q.numerator, q.denominator)
    digits = []
    while rest:
        rest *= 10
        digit, rest = divmod(rest, q.denominator)
        digits.append(str(digit))
    return f"{sign}{whole}.{''.join(digits)}" if digits else f"{sign}{whole}"


def key_of(v):
    """A value as a dictionary key (the memos of engine.lang.bounds and engine.lang.compile.Needs):
    lists and records as tuples, every scalar with its type, so that True, 1 and Fraction(1), equal
    as Python values, stay apart. A value that still cannot be hashed raises TypeError on use."""
    t = type(v)
    if t is list or t is tuple:
        return (t, tuple(key_of(x) for x in v))
    if t is dict:
        return (t, tuple((k, key_of(x)) for k, x in v.items()))
    return (t, v)
