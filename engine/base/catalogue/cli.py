# SPDX-License-Identifier: MIT
"""Command-line words: help texts, usage errors, progress and summaries (`cli.*`)."""

WORDS = {
}
