#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (Playwright cannot download its own browser here).
# Installs it when missing and we are root; otherwise the browser tests skip with a message
# (in CI they fail instead: see tests/site/test_browser.py).
set -u
command -v "${PLAYWRIGHT_CHROMIUM_EXECUTABLE:-/usr/bin/chromium}" >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing Debian's chromium for the browser tests"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "chromium is not installed and we are not root: browser tests will be skipped" >&2
fi
exit 0
