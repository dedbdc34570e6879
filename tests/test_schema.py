# SPDX-License-Identifier: MIT
"""The policy JSON Schema: checked by an independent validator (check-jsonschema), documented for editors."""
from __future__ import annotations

import json
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
