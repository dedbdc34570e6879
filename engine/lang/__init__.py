# SPDX-License-Identifier: MIT
"""The expression language: grammar, parser to typed AST, types, static checks, built-ins,
the reference interpreter and the compiler, and runtime values in JSON form.

May import: engine.base."""
