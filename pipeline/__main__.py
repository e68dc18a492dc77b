"""`python -m pipeline` runs the newsclean command line."""

import sys

from pipeline.cli import main

sys.exit(main())
