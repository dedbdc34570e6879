# SPDX-License-Identifier: MIT
"""The `yoko` command line: main(argv, stdout, stderr) and one module per command.

Imports inside functions are deliberate here, and only here: a command imports the engine modules
it uses when it runs, so `yoko list` or `yoko evaluate` does not pay at start-up for the
renderer, the web app or the prover. Everywhere else package imports sit at the top of the module
(tests/test_layers.py checks it; its LAZY_IMPORTS lists the few exceptions and why).

May import: every other layer."""
