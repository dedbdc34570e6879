# SPDX-License-Identifier: MIT
"""Reviewing policies: diffs between versions, rule coverage and policy tests.

May import: engine.base, engine.lang, engine.policy, engine.evaluation, engine.present."""
