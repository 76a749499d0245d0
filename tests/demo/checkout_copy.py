"""A clean copy of the checkout as it is now: tracked plus untracked-but-not-ignored files.

`git clone` of the working tree would miss uncommitted work; ignored files (build/, dist/,
.venv/, caches, tests/artifacts/) and the other virtual environments are left out, as on a
fresh machine.
"""

import shutil
import subprocess
from pathlib import Path
from typing import List

ROOT = Path(__file__).resolve().parents[2]


def checkout_files(root: Path = ROOT) -> List[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    files = []
    for name in listed.split("\0"):
        if not name or name.split("/", 1)[0].startswith(".venv"):
            continue
        path = root / name
        if path.is_file() and not path.is_symlink():  # deleted-but-tracked files are skipped
            files.append(name)
    return files


def copy_checkout(target: Path, root: Path = ROOT) -> Path:
    for name in checkout_files(root):
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, destination)  # keeps execute bits and times
    return target
