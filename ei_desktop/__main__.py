import sys

from ei_desktop.cli import main

sys.exit(main())
