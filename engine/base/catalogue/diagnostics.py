# SPDX-License-Identifier: MIT
"""Diagnostic messages: `diag.<code>[.<shape>]`, lowercase, no final period, saying what was expected
and what was found. Build them with engine.base.diagnostics.diag(code, location, key=..., **params)."""

WORDS = {
}
