"""Splunk custom alert action entry point: thousandeyes_instant_test (code in ../lib)."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

from ta_thousandeyes.instant_tests import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv))
