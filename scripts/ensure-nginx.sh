#!/usr/bin/env bash
# The front-cache tests (tests/site/test_front_cache.py) and benchmarks/serving.py run a real
# nginx (Debian's nginx-light is enough) and a real Varnish, and benchmarks/serving.py drives
# nginx with wrk. Installs them when missing and we are root; otherwise those tests skip with a
# message (in CI they fail).
set -u
missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v varnishd >/dev/null 2>&1 || [ -x /usr/sbin/varnishd ] || missing+=(varnish)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing ${missing[*]} for the front-cache tests and the serving benchmark"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  # Debian starts the packaged nginx (port 80) and Varnish (6081); the tests run their own.
  if command -v service >/dev/null 2>&1; then
    for daemon in nginx varnish varnishncsa; do service "$daemon" stop >/dev/null 2>&1 || true; done
  fi
else
  echo "${missing[*]} not installed and we are not root: front-cache tests will be skipped" >&2
fi
exit 0
