"""`python -m pipeline` runs the newsclean command line."""

import sys

from .cli import main

sys.exit(main())
