# SPDX-License-Identifier: MIT
"""The invented edits of Ibaraki FY2022 in tests/cases/edits/, written out as policy files."""
from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
EDITS = ROOT / "tests" / "cases" / "edits"
REAL = ROOT / "policies" / "ibaraki" / "2022.yaml"
NAMES = sorted(p.stem for p in EDITS.glob("*.yaml"))


def edited_text(name: str) -> str:
    """The real FY2022 policy with the invented edit `name` applied."""
    spec = YAML(typ="safe").load((EDITS / f"{name}.yaml").read_text(encoding="utf-8"))
    text = REAL.read_text(encoding="utf-8")
    text = text.replace("# Ibaraki Prefecture, FY2022", f"# INVENTED EDIT for tests: {spec['note']}\n#\n"
                                                          "# Ibaraki Prefecture, FY2022", 1)
    for old, new in spec["replace"]:
        assert text.count(old) == 1, f"{name}: {old!r} is not found exactly once"
        text = text.replace(old, new)
    return text


def write_edit(name: str, folder: Path) -> Path:
    """The edited policy written as FOLDER/ibaraki-2022-NAME.yaml."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"ibaraki-2022-{name}.yaml"
    path.write_text(edited_text(name), encoding="utf-8")
    return path
