#!/usr/bin/env bash
# The system packages `make test` needs and pip cannot install: Chromium for the browser
# tests, Pango for WeasyPrint's PDFs, GNU gettext for the translation catalog check.
# Idempotent: installs only what is missing, with apt-get when this machine has it and the
# right to use it; otherwise stops with one sentence naming what to install.
set -euo pipefail

packages=(chromium libpango-1.0-0 libpangoft2-1.0-0 gettext)
if ! command -v dpkg >/dev/null 2>&1; then
  # Not Debian: check the commands and libraries themselves.
  missing=()
  command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing+=(chromium)
  command -v xgettext >/dev/null 2>&1 || missing+=(gettext)
  if ((${#missing[@]})); then
    echo "Parcours needs these system packages, which this script can only install on Debian or Ubuntu: ${missing[*]} (and Pango for WeasyPrint)." >&2
    exit 1
  fi
  exit 0
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
((${#missing[@]})) || exit 0

if [ "$(id -u)" = 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "Parcours needs these system packages; install them as root, then run make again: apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
