#!/usr/bin/env bash
# Prints the path of a working Python 3.12 interpreter (the Lambda runtime's version), or fails loudly.
# Tries PATH first, then pyenv's install folder and uv-managed Pythons, so a fresh machine needs no setup.
set -u
candidates=(python3.12)
for root in "${PYENV_ROOT:-$HOME/.pyenv}/versions" "$HOME/.local/share/uv/python"; do
  for p in "$root"/3.12*/bin/python3.12 "$root"/cpython-3.12*/bin/python3.12; do
    [ -x "$p" ] && candidates+=("$p")
  done
done
candidates+=(/usr/bin/python3.12 /usr/local/bin/python3.12)
for c in "${candidates[@]}"; do
  if "$c" -c 'import sys, venv; assert sys.version_info[:2] == (3, 12)' >/dev/null 2>&1; then
    command -v "$c" 2>/dev/null || echo "$c"
    exit 0
  fi
done
echo "error: Python 3.12 not found (tried: ${candidates[*]}). Install it (pyenv install 3.12, apt, or uv python install 3.12)." >&2
exit 1
