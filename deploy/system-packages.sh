#!/usr/bin/env bash
# Debian packages the app needs at run time: Pango for WeasyPrint (invoice PDFs) and the Noto fonts that render
# names in Devanagari, Telugu and the other Indian scripts; nginx (light) for the scale-out test, which runs the
# compose nginx configuration in front of two gunicorns and two Daphnes (tests/mentorship/test_scale_out.py).
# Installs what is missing when it can (root with apt-get, as on these machines and in CI); otherwise says what to
# install and carries on.
set -euo pipefail
if ls /usr/lib/*/libpangoft2-1.0.so.0 >/dev/null 2>&1 && [ -f /usr/share/fonts/truetype/noto/NotoSansTelugu-Regular.ttf ] \
  && { command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; }; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "[setup] installing Pango and the Noto fonts for invoice PDFs, nginx for the scale-out test"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-core nginx-light >/dev/null
else
  echo "[setup] invoice PDFs need: apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-core" >&2
  echo "[setup] the scale-out test needs: apt-get install nginx-light" >&2
fi
