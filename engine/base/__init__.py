# SPDX-License-Identifier: MIT
"""Foundations every layer uses: located diagnostics, input limits, and the ja/en message words.

May import: nothing else in engine (the standard library only)."""
