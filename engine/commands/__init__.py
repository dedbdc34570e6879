# SPDX-License-Identifier: MIT
"""One module per `yoko` subcommand."""
