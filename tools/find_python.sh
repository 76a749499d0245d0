#!/usr/bin/env bash
# Print the path of a CPython interpreter of the given minor version (e.g. 3.9, 3.13):
# pyenv's install first (its shims need PYENV_VERSION), then whatever is on PATH.
set -eu
version="$1"
root="$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"
for candidate in "$root"/versions/"$version".*/bin/python"$version"; do
  if [ -x "$candidate" ]; then echo "$candidate"; exit 0; fi
done
for candidate in "/usr/bin/python$version" "/usr/local/bin/python$version"; do
  if [ -x "$candidate" ]; then echo "$candidate"; exit 0; fi
done
echo "no Python $version found: run 'pyenv install $version', then try again" >&2
exit 1
