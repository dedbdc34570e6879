# SPDX-License-Identifier: MIT
"""The ja/en catalogue, one module per area; merged here, a key defined twice is an error.

Each area module defines `WORDS = {key: (ja, en)}` with keys that start with its own prefix, so
that people working on different areas never edit the same file.
"""
from __future__ import annotations

import importlib

AREAS = ["common", "types", "dates", "diagnostics", "cli", "authoring", "web", "xlsx", "diff", "origin", "fmt",
         "render", "robust", "memo", "policy", "commands", "daemon"]

WORDS: dict[str, tuple[str, str]] = {}
for _area in AREAS:
    for _key, _pair in importlib.import_module(f"engine.base.catalogue.{_area}").WORDS.items():
        if _key in WORDS:
            raise RuntimeError(f"catalogue key {_key!r} defined twice (area {_area})")
        WORDS[_key] = _pair
