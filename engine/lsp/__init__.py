# SPDX-License-Identifier: MIT
"""The yoko language server (`yoko lsp`): diagnostics, completion, hover, definition and rename in policies.

May import: engine.base, engine.lang, engine.policy, engine.evaluation, engine.present, engine.review."""
