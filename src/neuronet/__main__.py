"""`python -m neuronet ...` runs the `neuronet` command line."""

import sys

from neuronet.cli import main

sys.exit(main())
