"""`python -m tonecheck.cli`: the command line without the installed script."""

import sys

from tonecheck.cli import main

sys.exit(main())
