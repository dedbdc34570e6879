# SPDX-License-Identifier: MIT
"""`python -m engine` is the `yoko` command."""
import sys

from engine.cli.launch import main

sys.exit(main())
