#!/usr/bin/env bash
# Installs the Debian packages Sightline needs, only those that are missing.
#   system-deps.sh python     Python's venv module (the demo and the tests)
#   system-deps.sh postgres   a PostgreSQL server (the tests' second database run)
#   system-deps.sh test       everything the test suite needs: the above, Chromium, fonts
# Needs root or passwordless sudo when something is missing; does nothing otherwise.
set -euo pipefail
want=${1:-test}
need=()

python_deps() {
  if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    need+=("python3-venv")
  fi
}
postgres_deps() {
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
}
browser_deps() {
  [ -x /usr/bin/chromium ] || need+=(chromium)
  # Chromium renders text, and the PDF export measures it, with real fonts.
  if ! { fc-list 2>/dev/null | grep -qi dejavu; }; then need+=(fonts-dejavu-core fontconfig); fi
}

case "$want" in
  python) python_deps ;;
  postgres) postgres_deps ;;
  test) python_deps; postgres_deps; browser_deps ;;
  *) echo "usage: $0 python|postgres|test" >&2; exit 2 ;;
esac

[ ${#need[@]} -eq 0 ] && exit 0

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo -n)
  else
    echo "Sightline needs these Debian packages: ${need[*]}" >&2
    echo "Install them as root: apt-get install ${need[*]}" >&2
    exit 1
  fi
fi
echo "Installing Debian packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists yet; refresh them once, then install.
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
