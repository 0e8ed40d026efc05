#!/usr/bin/env bash
# Regenerates docs/screenshot.png, the README's picture: the home page of the shipped site at
# 1280 x 800, light mode, first screenful. Needs Chromium (/usr/bin/chromium or CHROMIUM_PATH).
#
#   scripts/screenshot.sh            build the site into public/, then take the screenshot
#   scripts/screenshot.sh SITE_DIR   take it of an already built site
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d browser/node_modules/playwright-core ]; then
  npm ci --prefix browser --no-audit --no-fund
fi
if [ $# -eq 0 ]; then
  cargo run --release --quiet -- build
  site=public
else
  site=$1
fi
node browser/screenshots.mjs "$site" --readme
