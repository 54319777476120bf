#!/usr/bin/env bash
# The web pages are tested in a real browser: Debian's Chromium driven by Playwright (the Python
# package is in requirements.lock; Playwright's own browser download is never used). Install
# Chromium where we can; where we cannot, say so -- the browser tests then skip with that reason.
set -uo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; fi
fi
if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" = "0" ] || [ -n "$SUDO" ]; }; then
  echo "pepgraph: installing chromium with apt-get (for the browser tests of the web pages)" >&2
  if $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; then
    exit 0
  fi
fi
echo "pepgraph: /usr/bin/chromium is missing and cannot be installed here; the browser tests will skip" >&2
echo "          (Debian/Ubuntu: sudo apt-get install -y chromium)" >&2
exit 0
