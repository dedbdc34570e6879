# SPDX-License-Identifier: MIT
"""The `yoko` command line: main(argv, stdout, stderr) and one module per command.

May import: every other layer."""
