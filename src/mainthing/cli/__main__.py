"""`python -m mainthing.cli worker`: how `mainthing serve` starts its children."""

import sys

from mainthing.cli import main

sys.exit(main())
