#!/usr/bin/env bash
# Install the Debian packages Sweep needs, only those missing. Idempotent; quiet when nothing is missing.
#   install-deps.sh            build and run dependencies
#   install-deps.sh --test     also what the test suite needs (Chromium and its driver for the browser test)
set -euo pipefail
packages=(libfcgi-dev libcurl4-openssl-dev libpq-dev libssl-dev libcrypt-dev nginx postgresql postgresql-contrib zip unzip curl
          podman runc bubblewrap busybox-static socat)
[ "${1:-}" = "--test" ] && packages+=(chromium chromium-driver)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# Debian's postinst scripts try to start services; a policy-rc.d in the image may refuse, which is fine.
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
