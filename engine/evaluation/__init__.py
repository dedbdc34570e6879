# SPDX-License-Identifier: MIT
"""Evaluating facilities: facts files and their conversion, the runner (results, unknowns,
needed facts, traces), tables (CSV, XLSX, JSONL) and batches.

May import: engine.base, engine.lang, engine.policy."""
