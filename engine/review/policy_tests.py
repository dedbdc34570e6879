# SPDX-License-Identifier: MIT
"""Policy tests that staff write: cases of facts and expected public results, next to a policy.

`policies/ibaraki/2022.tests.yaml` holds the cases of `policies/ibaraki/2022.yaml`:

    cases:
      - name: 第1号 搬送1,500件の2次救急病院        # shown when the case fails
        facts_file: ../../examples/ibaraki-2022/ground-1-cost-share-smaller.yaml   # optional
        facts: {emergency_tier: secondary, ambulance_transports: 1500}             # optional
        expect: {eligible: true, grant_amount: 2660000}

`facts` override those read from `facts_file` (a path relative to the tests file).
`expect` names public results; `null` means the result must be unknown.
"""
from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from engine.base.dates import DateError, looks_like_date, read_date
from engine.base.diagnostics import Diagnostic, Location, YokoError, diag, suggest
from engine.evaluation.evaluate import evaluate
from engine.evaluation.facts import check_facts, load_facts_file
from engine.policy.load import Policy
from engine.lang.values import to_json
from engine.policy.yamlio import location_at, read_document, to_fraction
from engine.base.diagnostics import render_all
from engine.base.words import say

SUFFIX = ".tests.yaml"


def tests_path_for(policy_path: str | Path) -> Path:
    """`2022.yaml` -> `2022.tests.yaml`, in the same folder."""
    p = Path(policy_path)
    return p.with_name(p.name.removesuffix(".yaml").removesuffix(".yml") + SUFFIX)


def policy_path_for(tests_path: str | Path) -> Path:
    p = Path(tests_path)
    return p.with_name(p.name.removesuffix(SUFFIX) + ".yaml")


@dataclass
class Case:
    name: str
    index: int
    location: Location
    facts: dict = field(default_factory=dict)
    expect: dict = field(default_factory=dict)  # result -> expected JSON value (None = unknown)
    errors: list[Diagnostic] = field(default_factory=list)


@dataclass
class Mismatch:
    result: str
    expected: Any
    got: Any


@dataclass
class Outcome:
    case: Case
    status: str  # "pass" | "fail" | "error"
    mismatches: list[Mismatch] = field(default_factory=list)
    got: dict = field(default_factory=dict)  # every public result, JSON form
    env: dict | None = None  # every value, for coverage


@dataclass
class Suite:
    path: str
    policy: Policy
    cases: list[Case]
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)


def load_suite(path: str, policy: Policy) -> Suite:
    """Read a tests file; file-level problems raise, a bad case is kept with its errors."""
    read = read_document(path)
    root, doc = read.root, read.data
    if not isinstance(doc, dict) or not isinstance(doc.get("cases"), list):
        raise YokoError([diag("tests_syntax", Location(path, 1, 1), key="diag.tests_syntax.file")])
    unknown = [k for k in doc if k not in ("cases", "always")]  # always: properties for check --prove
    if unknown:
        raise YokoError([diag("tests_syntax", location_at(root, [unknown[0]], path, key=True), key="diag.tests_syntax.file_key",
                              key_=unknown[0], suggestion=suggest(unknown[0], ["cases", "always"]))])
    cases = [_case(doc["cases"][i], i, root, path, policy) for i in range(len(doc["cases"]))]
    _check_names_unique(cases)
    return Suite(path, policy, cases)


_CASE_KEYS = ("name", "facts_file", "facts", "expect")


def _case(raw, i: int, root, path: str, policy: Policy) -> Case:
    loc = location_at(root, ["cases", i], path)
    at = lambda *keys, key=False: location_at(root, ["cases", i, *keys], path, key=key)  # noqa: E731
    case = Case(name=f"case {i + 1}", index=i, location=loc)
    if not isinstance(raw, dict):
        case.errors.append(diag("tests_syntax", loc, key="diag.tests_syntax.case"))
        return case
    case.name = str(raw.get("name") or case.name)
    for k in raw:
        if k not in _CASE_KEYS:
            case.errors.append(diag("tests_syntax", at(k, key=True), key="diag.tests_syntax.case_key", key_=k,
                                    suggestion=suggest(str(k), _CASE_KEYS)))
    facts = {}
    try:
        if raw.get("facts_file"):
            facts.update(load_facts_file(str(Path(path).parent / str(raw["facts_file"])), policy))
        inline = raw.get("facts") or {}
        if not isinstance(inline, dict):
            raise YokoError([diag("tests_syntax", at("facts"), key="diag.tests_syntax.facts")])
        locate = lambda key_path, key=False: at("facts", *key_path, key=key)  # noqa: E731
        facts.update(check_facts(inline, policy, locate))
        for name, value in inline.items():
            if value is None:
                facts.pop(name, None)  # null: this fact is unknown in this case, even if the file gives it
    except YokoError as e:
        case.errors.extend(e.diagnostics)
    case.facts = facts
    expect = raw.get("expect") or {}
    if not isinstance(expect, dict):
        case.errors.append(diag("tests_syntax", at("expect"), key="diag.tests_syntax.expect"))
        expect = {}
    for k, v in expect.items():
        if k not in policy.results:
            case.errors.append(diag("unknown_result", at("expect", k, key=True), name=k, policy=policy.id, year=policy.fiscal_year,
                                    suggestion=suggest(str(k), policy.results)))
        else:
            case.expect[k] = expected_json(v)
    return case


def _check_names_unique(cases: list[Case]) -> None:
    seen: dict[str, Case] = {}
    for c in cases:
        if c.name in seen:
            c.errors.append(diag("duplicate_case", c.location, name=repr(c.name), line=seen[c.name].location.line))
        seen.setdefault(c.name, c)


def expected_json(v):
    """An expected value as written in YAML, in the JSON form results take (dates ISO, exact numbers)."""
    if isinstance(v, float):
        return to_json(Fraction(to_fraction(v)))
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, list):
        return [expected_json(x) for x in v]
    if isinstance(v, dict):
        return {k: expected_json(x) for k, x in v.items()}
    return v


def _as_result(want, t):
    """An expected date written in any date spelling (2024-3-11, 令和6年3月11日) in ISO form."""
    if t.kind == "date" and isinstance(want, str) and looks_like_date(want):
        try:
            return read_date(want).isoformat()
        except DateError:
            return want  # reported as a mismatch, which shows the text as written
    return want


def same(a, b) -> bool:
    """Equal as JSON values: true is not 1, 2 is not 2.0 only if they differ as numbers."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if type(a) is not type(b) and not (isinstance(a, (int, float)) and isinstance(b, (int, float))):
        return False
    return a == b


def run_suite(suite: Suite) -> Suite:
    """Evaluate every case; a case that cannot be evaluated is an error, the others still run."""
    suite.outcomes = [_run_case(suite.policy, c) for c in suite.cases]
    return suite


def _run_case(policy: Policy, case: Case) -> Outcome:
    if case.errors:
        return Outcome(case, "error")
    try:
        ev = evaluate(policy, case.facts)
    except YokoError as e:
        case.errors.extend(e.diagnostics)
        return Outcome(case, "error")
    got = {n: to_json(v) for n, v in ev.results.items()}
    bad = [Mismatch(k, want, got[k]) for k, want in case.expect.items()
           if not same(_as_result(want, policy.rules[k].type), got[k])]
    return Outcome(case, "fail" if bad else "pass", bad, got, ev.env)


# --------------------------------------------------------------------------- report

class _Words:
    """The words of a test report in one language (commands.test.word.* in the catalogue)."""

    def __init__(self, lang: str):
        self.lang = lang

    def __getitem__(self, key: str) -> str:
        return say(f"commands.test.word.{key}", self.lang)


def show(v, lang: str = "en") -> str:
    """A JSON value as it would be written in the tests file."""
    if v is None:
        return _Words(lang)["unknown"]
    return json.dumps(v, ensure_ascii=False)


def _width(text: str) -> int:
    """Columns on a terminal: East Asian wide characters take two."""
    import unicodedata
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def report(suite: Suite, lang: str = "en") -> str:
    """What failed, result by result (expected vs got), then a one-line summary."""
    t = _Words(lang)
    lines = []
    for o in suite.outcomes:
        if o.status == "pass" and not o.case.expect:
            lines.append(f"{o.case.location}: {o.case.name}: {t['no_expect']}")
        if o.status == "fail":
            lines.append(f"{t['fail']} {o.case.location}: {o.case.name}")
            width = max(len(m.result) for m in o.mismatches)
            pad = " " * (_width(t["expected"]) - _width(t["got"]))
            for m in o.mismatches:
                lines.append(f"  {m.result.ljust(width)}  - {t['expected']}: {show(m.expected, lang)}")
                lines.append(f"  {' ' * width}  + {t['got']}:{pad} {show(m.got, lang)}")
        elif o.status == "error":
            lines.append(f"{t['error']} {o.case.location}: {o.case.name}")
            lines.extend("  " + ln for ln in render_all(o.case.errors, lang=lang).splitlines())
    n, errors = len(suite.outcomes), suite.count("error")
    cases = t["cases"].removesuffix("s") if lang == "en" and n == 1 else t["cases"]
    errs = t["errors"].removesuffix("s") if lang == "en" and errors == 1 else t["errors"]
    summary = (f"{suite.path}: {n} {cases}, {suite.count('pass')} {t['passed']}, "
               f"{suite.count('fail')} {t['failed']}, {errors} {errs}")
    lines.append(summary)
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- --update

def round_trip_yaml() -> YAML:
    """ruamel's round-trip mode, set to keep comments, key order, quotes and long lines."""
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    y.representer.add_representer(type(None), _represent_null)
    return y


def _represent_null(representer, _):
    """`null`, not an empty value: an expected unknown must be visible."""
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


REVIEW = "[要確認] "  # put before a comment that may have become false (new-year, test --update)


def flag_comment(mapping, key) -> bool:
    """Mark the comment at the end of `key`'s line as to be reviewed (once); whether there was one."""
    items = getattr(mapping, "ca", None) and mapping.ca.items.get(key)
    tok = items[2] if items and len(items) > 2 else None
    if tok is None or not tok.value.strip().startswith("#"):
        return False
    text = tok.value
    body = text.lstrip()
    if REVIEW.strip() in body:
        return True
    lead = text[: len(text) - len(body)]
    tok.value = lead + "# " + REVIEW + body[1:].lstrip()
    return True


def update_expectations(suite: Suite) -> int:
    """Rewrite the expected values of the tests file to the results got; the number of values changed.

    Keys already under `expect` are updated; a case without `expect` gets every public result.
    Comments and key order are kept (ruamel round trip); the comment of a value changed is flagged
    for review (it explained the old value). Cases with errors are left alone.
    """
    y = round_trip_yaml()
    path = Path(suite.path)
    doc = y.load(path.read_text("utf-8-sig"))
    changed = 0
    for o in suite.outcomes:
        if o.status == "error":
            continue
        raw = doc["cases"][o.case.index]
        expect = raw.get("expect")
        if not expect:
            expect = CommentedMap()
            raw["expect"] = expect
            keys = list(o.got)
        else:
            keys = [k for k in expect if k in o.got]
        for k in keys:
            if k in expect and same(expected_json(_plain(expect[k])), o.got[k]):
                continue
            expect[k] = _yaml_value(o.got[k], o.case, k, suite.policy)
            flag_comment(expect, k)  # the comment explained the old value
            changed += 1
    if changed:
        with path.open("w", encoding="utf-8") as f:
            y.dump(doc, f)
    return changed


def _plain(v):
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    if isinstance(v, bool) or v is None or isinstance(v, (int, float, datetime.date)):
        return v
    return str(v)


def _yaml_value(v, case: Case, result: str, policy: Policy):
    """A result in JSON form as a YAML node: dates as dates, lists in flow style."""
    rule = policy.rules[result]
    if isinstance(v, str) and rule.type.kind == "date":
        return datetime.date.fromisoformat(v)
    if isinstance(v, str):
        return DoubleQuotedScalarString(v)
    if isinstance(v, list):
        seq = CommentedSeq([_yaml_value(x, case, result, policy) for x in v])
        seq.fa.set_flow_style()
        return seq
    if isinstance(v, dict):
        m = CommentedMap(v)
        m.fa.set_flow_style()
        return m
    return v


# --------------------------------------------------------------------------- machine-readable reports

def suite_json(suite: Suite) -> dict:
    """A suite's outcomes as data (`yoko test --format json`)."""
    return {
        "tests": suite.path, "policy": suite.policy.path, "cases": len(suite.outcomes),
        "passed": suite.count("pass"), "failed": suite.count("fail"), "errors": suite.count("error"),
        "outcomes": [{"name": o.case.name, "file": o.case.location.file, "line": o.case.location.line,
                      "status": o.status,
                      "mismatches": [{"result": m.result, "expected": m.expected, "got": m.got} for m in o.mismatches],
                      "diagnostics": [d.to_json() for d in o.case.errors]}
                     for o in suite.outcomes],
    }


def junit_xml(suites: list[dict], lang: str = "en") -> str:
    """Suites as data (suite_json) as JUnit XML, which CI systems read: one testsuite per tests file,
    one testcase per case, a failure element per failed case, an error element per broken one."""
    import xml.etree.ElementTree as ET
    root = ET.Element("testsuites", name="yoko test", tests=str(sum(s["cases"] for s in suites)),
                      failures=str(sum(s["failed"] for s in suites)), errors=str(sum(s["errors"] for s in suites)))
    t = _Words(lang)
    for s in suites:
        el = ET.SubElement(root, "testsuite", name=s["tests"], tests=str(s["cases"]), failures=str(s["failed"]),
                           errors=str(s["errors"]), skipped="0")
        for o in s["outcomes"]:
            case = ET.SubElement(el, "testcase", classname=s["policy"], name=o["name"], file=o["file"],
                                 line=str(o["line"]))
            if o["status"] == "fail":
                lines = [f"{m['result']}: {t['expected']} {show(m['expected'], lang)}, {t['got']} {show(m['got'], lang)}"
                         for m in o["mismatches"]]
                ET.SubElement(case, "failure", message=lines[0] if len(lines) == 1 else f"{len(lines)} {t['failed']}",
                              type="mismatch").text = "\n".join(lines)
            elif o["status"] == "error":
                text = "\n".join(f"{d.get('code')}: {d.get('message_ja', d['message']) if lang == 'ja' else d['message']}"
                                 for d in o["diagnostics"])
                ET.SubElement(case, "error", message=text.splitlines()[0] if text else "", type="error").text = text
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
