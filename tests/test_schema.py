# SPDX-License-Identifier: MIT
"""The policy JSON Schema: checked by an independent validator (check-jsonschema), documented for editors."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "schemas" / "policy.schema.json"
SHIPPED = sorted(p for p in (ROOT / "policies").rglob("*.yaml") if not p.name.endswith((".tests.yaml", ".source.yaml")))
MODELINE = "# yaml-language-server: $schema=../../schemas/policy.schema.json"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
ENGLISH = re.compile(r"[A-Za-z]{2,}")


def check_jsonschema(*args: str) -> subprocess.CompletedProcess:
    """Run the independent validator from this interpreter's environment."""
    return subprocess.run([sys.executable, "-m", "check_jsonschema", *args],
                          capture_output=True, text=True, encoding="utf-8", check=False)


def bilingual(text) -> bool:
    return isinstance(text, str) and bool(JAPANESE.search(text)) and bool(ENGLISH.search(text))


def keys_of(node, path=""):
    """(path, schema) of every key a policy file can hold, wherever the schema declares it."""
    if isinstance(node, dict):
        for k, v in (node.get("properties") or {}).items():
            if "/if" not in path:  # `if` branches restate a key to test it; they declare nothing
                yield f"{path}/{k}", v
        for k, v in node.items():
            yield from keys_of(v, f"{path}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from keys_of(v, f"{path}[{i}]")


SCHEMA_DOC = json.loads(SCHEMA.read_text("utf-8"))
KEYS = sorted(keys_of(SCHEMA_DOC), key=lambda kv: kv[0])


def test_there_are_shipped_policies_to_validate():
    assert SHIPPED, "no policies under policies/"


def test_the_schema_is_a_valid_draft_2020_12_schema():
    r = check_jsonschema("--check-metaschema", str(SCHEMA))
    assert r.returncode == 0, r.stdout + r.stderr


def test_every_shipped_policy_is_valid_for_the_independent_validator():
    r = check_jsonschema("--schemafile", str(SCHEMA), *map(str, SHIPPED))
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_policy_starts_with_the_editor_schema_line(path):
    first = path.read_text("utf-8-sig").splitlines()[0]
    assert first == MODELINE


MISSPELT = [
    # (what is misspelt, text to replace in the shipped FY2022 policy, replacement, expected suggestion)
    ("a top-level key", "\nfiscal_year: 2022\n", "\nfiscal_yaer: 2022\n", "fiscal_year"),
    ("a rule's key", "  ground_4:\n    type: bool\n", "  ground_4:\n    tpye: bool\n", "type"),
    ("a fact's key", "    type: int\n    min: 0\n    unit: cases\n    period:",
     "    type: int\n    mni: 0\n    unit: cases\n    period:", "min"),
]


@pytest.fixture
def misspelt(tmp_path, request):
    what, old, new, _ = request.param
    text = (ROOT / "policies" / "ibaraki" / "2022.yaml").read_text("utf-8")
    assert text.count(old) >= 1, f"the policy no longer contains {old!r}"
    path = tmp_path / "misspelt.yaml"
    path.write_text(text.replace(old, new, 1), "utf-8")
    return path


@pytest.mark.parametrize("misspelt", MISSPELT, ids=[m[0] for m in MISSPELT], indirect=True)
def test_a_misspelt_key_is_rejected_by_the_independent_validator(misspelt):
    r = check_jsonschema("--schemafile", str(SCHEMA), str(misspelt))
    assert r.returncode == 1
    assert "was unexpected" in r.stdout


@pytest.mark.parametrize("misspelt", MISSPELT, ids=[m[0] for m in MISSPELT], indirect=True)
def test_a_misspelt_key_is_rejected_by_yoko_check_with_a_suggestion(misspelt, cli, request):
    want = next(m[3] for m in MISSPELT if m[0] in request.node.callspec.id)
    r = cli("check", str(misspelt))
    assert r.code == 2
    lines = r.err.splitlines()
    at = next(i for i, line in enumerate(lines) if ": policy_schema: " in line and "unknown key" in line)
    assert lines[at].startswith(f"{misspelt}:")
    assert lines[at + 1] == f"  did you mean: {want}"


@pytest.mark.parametrize("path", [p for p, _ in KEYS])
def test_every_key_has_a_title_and_description_in_japanese_and_english(path):
    spec = dict(KEYS)[path]
    assert bilingual(spec.get("title")), f"{path}: title {spec.get('title')!r}"
    assert bilingual(spec.get("description")), f"{path}: description {spec.get('description')!r}"


@pytest.mark.parametrize("path", [p for p, s in KEYS if "enum" in s])
def test_every_enum_value_is_described_in_japanese_and_english(path):
    spec = dict(KEYS)[path]
    descriptions = spec.get("enumDescriptions") or []
    assert len(descriptions) == len(spec["enum"]), f"{path}: one enumDescriptions entry per enum value"
    assert all(bilingual(d) for d in descriptions), descriptions


def test_the_schema_describes_the_keys_the_editor_completes():
    # A guard against the walk above finding nothing (a test that cannot fail).
    paths = {p for p, _ in KEYS}
    assert {"/fiscal_year", "/$defs/rule/expr", "/$defs/citation/article", "/$defs/note/kind"} <= paths


# --------------------------------------------------------------------------- the quick validator
# yoko asks jsonschema_rs first whether a policy or source document is valid and skips jsonschema when
# it is (engine/policy/load.py, schema_violations). That is only right if jsonschema_rs never calls
# valid a document jsonschema refuses: checked here on every policy and source file of the
# repository and on mutations of them (keys dropped or added, values of every JSON type put in).

def _documents(kind: str):
    from engine.base.diagnostics import YokoError
    from engine.policy.load import _jsonable
    from engine.policy.yamlio import read_document
    paths = sorted(ROOT.glob("policies/**/*.yaml")) + sorted(ROOT.glob("tests/**/*.yaml"))
    for p in paths:
        is_source = p.name.endswith(".source.yaml")
        if (kind == "source") != is_source or p.name.endswith(".tests.yaml"):
            continue
        try:
            data = read_document(str(p)).data
        except YokoError:
            continue
        if isinstance(data, dict) and ("fiscal_year" in data or is_source):
            yield p, _jsonable(data)


def _paths(node, where=()):
    yield where
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*where, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*where, i))


_PUT = [0, -1, 1.5, 2 ** 70, "", "x", "TODO", "2022-02-30", "2022-04-01", "abc\n", "Ab", True, None, [], {}, ["x"],
        {"ja": "x", "en": "y"}]


def _mutations(doc, rng, n):
    import copy
    paths = [w for w in _paths(doc) if w]
    for _ in range(n):
        m = copy.deepcopy(doc)
        where = rng.choice(paths)
        parent = m
        for step in where[:-1]:
            parent = parent[step]
        last, op = where[-1], rng.random()
        if op < 0.25 and isinstance(parent, dict):
            del parent[last]
        elif op < 0.35 and isinstance(parent, dict):
            parent["zz_" + str(last)] = rng.choice(_PUT)
        else:
            parent[last] = copy.deepcopy(rng.choice(_PUT))
        yield where, m


@pytest.mark.parametrize("kind,schema", [("policy", "policy.schema.json"), ("source", "source.schema.json")])
def test_the_quick_validator_never_calls_valid_what_jsonschema_refuses(kind, schema):
    import random

    from engine.policy.load import _full_validator, _quick_validator
    path = ROOT / "schemas" / schema
    quick, full = _quick_validator(path), _full_validator(path)
    assert quick is not None, "jsonschema_rs is a dependency: it must be installed"
    rng = random.Random(20261202)
    documents = list(_documents(kind))
    assert len(documents) >= (4 if kind == "policy" else 2)
    refused = 0
    for p, doc in documents:
        if p.is_relative_to(ROOT / "policies"):
            assert quick.is_valid(doc), p  # a real policy is never validated twice
        for where, m in [((), doc), *_mutations(doc, rng, 25 if kind == "policy" else 40)]:
            try:
                ok = quick.is_valid(m)
            except Exception:
                ok = False  # yoko then asks jsonschema
            if ok:
                assert not list(full.iter_errors(m)), (p, where)
            else:
                refused += 1
    assert refused > 0  # the mutations do reach invalid documents


def test_loading_a_valid_policy_afresh_never_imports_jsonschema(tmp_path):
    # jsonschema takes ~100 ms to import: a valid policy is judged by jsonschema_rs alone
    code = ("import sys; from engine.policy.load import load_policy; load_policy('policies/ibaraki/2022.yaml'); "
            "print('jsonschema' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                       env={**os.environ, "PYTHONPATH": str(ROOT), "YOKO_NO_CACHE": "1"})
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "False"
