#!/usr/bin/env bash
# PyICU (used by normality and rigour for transliteration) builds from source against the system's
# ICU. Install the headers and pkg-config where we can; otherwise say exactly what to run.
set -euo pipefail
if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists icu-uc icu-i18n 2>/dev/null; then
  exit 0
fi
echo "pepgraph: ICU development files or pkg-config are missing (needed to build PyICU)." >&2
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; fi
fi
if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" = "0" ] || [ -n "$SUDO" ]; }; then
  echo "pepgraph: installing libicu-dev pkg-config with apt-get" >&2
  $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libicu-dev pkg-config >/dev/null
  exit 0
fi
if command -v dnf >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  dnf install -y libicu-devel pkgconf-pkg-config && exit 0
fi
if command -v brew >/dev/null 2>&1; then
  brew install icu4c pkg-config
  echo "pepgraph: then run: export PKG_CONFIG_PATH=\"$(brew --prefix icu4c)/lib/pkgconfig\"" >&2
  exit 1
fi
cat >&2 <<MSG
pepgraph: cannot install them automatically. Run one of these, then try again:
  Debian/Ubuntu:  sudo apt-get install -y libicu-dev pkg-config
  Fedora/RHEL:    sudo dnf install -y libicu-devel pkgconf-pkg-config
  macOS:          brew install icu4c pkg-config && export PKG_CONFIG_PATH="\$(brew --prefix icu4c)/lib/pkgconfig"
MSG
exit 1
