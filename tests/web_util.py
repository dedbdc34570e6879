# SPDX-License-Identifier: MIT
"""Helpers for the workbench tests: a policies folder under git with two revisions (invented change)."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "ibaraki-2022"


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.invalid", "HOME": str(folder), "PATH": "/usr/bin:/bin"})


def git_workspace(base: Path) -> Path:
    """base/policies holding Ibaraki 2022 twice in git: as shipped, then with an INVENTED per-bed
    amount of 140,000 yen (not in any real document), and base/examples with the example facilities."""
    policies = base / "policies"
    (policies / "ibaraki").mkdir(parents=True)
    shutil.copytree(EXAMPLES, base / "examples" / "ibaraki-2022")
    shutil.copy(ROOT / "policies" / "ibaraki" / "2022.yaml", policies / "ibaraki" / "2022.yaml")
    shutil.copy(ROOT / "policies" / "national" / "2020.yaml", policies / "national-2020.yaml")
    git(base, "init", "-q")
    git(base, "add", ".")
    git(base, "commit", "-q", "-m", "as shipped")
    path = policies / "ibaraki" / "2022.yaml"
    text = path.read_text("utf-8")
    assert "    value: 133000\n" in text
    path.write_text(text.replace("    value: 133000\n", "    value: 140000\n", 1), "utf-8")
    git(base, "commit", "-q", "-am", "invented: 140,000 yen a bed")
    return policies
