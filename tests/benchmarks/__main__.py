import os
import sys

# `python -m tests.benchmarks` from the repository root: the add-on's package lives in lib/.
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "lib"))

from tests.benchmarks.bench import main  # noqa: E402

sys.exit(main())
