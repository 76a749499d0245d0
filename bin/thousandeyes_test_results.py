"""Splunk modular input entry point: thousandeyes_test_results (the code lives in ../lib)."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

from ta_thousandeyes.modinputs.results import main  # noqa: E402

if __name__ == "__main__":
    main()
