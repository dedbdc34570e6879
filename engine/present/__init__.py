# SPDX-License-Identifier: MIT
"""What a person reads: the memo of one evaluation, the rendered policy document, citations and
values formatted in Japanese or English.

May import: engine.base, engine.lang, engine.policy, engine.evaluation."""
