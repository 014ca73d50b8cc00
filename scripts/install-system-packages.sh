#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, only if they are missing:
# chromium (real-browser tests), fonts-wqy-microhei (Chinese glyphs in screenshots),
# postgresql (the server binaries the store tests start on a temporary directory),
# nginx (the reverse proxy the shared-deployment test puts in front of two app processes).
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
fc-list 2>/dev/null | grep -qi "WenQuanYi Micro Hei" || missing+=(fonts-wqy-microhei)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing Debian packages: ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
