"""``python -m galforge``: the galforge console script."""
import sys

from .cli import main

sys.exit(main())
