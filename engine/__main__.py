# SPDX-License-Identifier: MIT
"""`python -m engine` is the `yoko` command."""
import sys

from .cli import main

sys.exit(main())
