"""`python -m cli`: the same as the `alliance-desk` console script."""
import sys

from cli import main

sys.exit(main())
