#!/usr/bin/env python3
"""The front door: `python run_bot.py [telegram|chat|check|classify|train|report|simulate|bench] ...`."""
from __future__ import annotations

import sys

from bot.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
