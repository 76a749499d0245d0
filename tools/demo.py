"""`make demo`: the add-on end to end on the built-in ThousandEyes simulator and Splunk stand-in.

    python tools/demo.py            build, install, connect, collect a few simulated hours, report
    python tools/demo.py --serve    ... then keep Splunk Web and the simulator up for a browser
    python tools/demo.py --help     every option (a real ThousandEyes region, hours, seed, ...)

Exit code 0 when every check passed (ground truth, duplicates, leak scan, clean shutdown).
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tools.demo and the stand-ins under tests.simulators

MISSING_ENVIRONMENT = """\
The demo needs the project's environment (requests, splunk-sdk, psutil). Run it with
    make demo
which creates .venv from requirements/dev.txt first, or with .venv/bin/python tools/demo.py.
"""


def main(argv: "list | None" = None) -> int:
    try:
        import psutil  # noqa: F401
        import requests  # noqa: F401
        import splunklib  # noqa: F401
    except ImportError as error:
        sys.stderr.write(f"{error}\n{MISSING_ENVIRONMENT}")
        return 2
    from tools.demo import options, run

    return run.main(ROOT, options.parse(argv, ROOT))


if __name__ == "__main__":
    sys.exit(main())
