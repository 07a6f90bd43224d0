#!/usr/bin/env bash
# The one command that runs every test: installs what the tests need (Debian packages, npm packages),
# builds (dist/, and the shipped plugins of plugins/), lints (`npm run lint`: prettier, tsc, eslint),
# then runs the whole mocha suite, lab scenarios included; then the container tests (podman: the routing
# and plugins scenarios on the lab's container backend, and topology/compose.yaml), timed.
# Run it as root on Debian 12 from the repository root: `bash test/run-all.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_pkgs=(clang llvm bird2 frr gobgpd exabgp bgpdump bzip2 iproute2 gcc podman runc debootstrap openssl stayrtr)
tool_of() { # package -> an executable it installs, to test presence cheaply
  case "$1" in
    clang) echo clang ;; llvm) echo llvm-objdump ;; bird2) echo bird ;; frr) echo /usr/lib/frr/bgpd ;;
    gobgpd) echo gobgpd ;; exabgp) echo exabgp ;; bgpdump) echo bgpdump ;; bzip2) echo bzip2 ;;
    iproute2) echo ip ;; gcc) echo gcc ;; podman) echo podman ;; runc) echo runc ;; debootstrap) echo debootstrap ;; openssl) echo openssl ;;
    stayrtr) echo stayrtr ;;
  esac
}
missing=()
for p in "${apt_pkgs[@]}"; do
  t=$(tool_of "$p")
  if [[ "$t" == /* ]]; then [[ -x "$t" ]] || missing+=("$p"); else command -v "$t" >/dev/null || missing+=("$p"); fi
done
if ((${#missing[@]})); then
  echo "== installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The packaged daemons must not run on their own: the lab starts its own instances.
for svc in bird frr gobgpd exabgp stayrtr; do
  systemctl disable --now "$svc" >/dev/null 2>&1 || true
done

echo "== npm ci"
npm ci --no-audit --no-fund --loglevel=error

echo "== plugins (plugins/*/*.c -> objects beside their sources)"
npm run build:plugins --silent

echo "== lint (prettier, tsc, eslint)"
npm run lint --silent

echo "== tests"
XBGPD_REQUIRE_ALL=1 npx mocha --config .mocharc.full.json

# Images are built once per machine (tagged with a hash of their inputs) and reused; where podman
# cannot run containers, these tests skip and print why.
echo "== containers (images, routing and plugins scenarios on XBGPD_LAB_BACKEND=container, topology/compose.yaml)"
containers_started=$SECONDS
XBGPD_LAB_BACKEND=container XBGPD_REQUIRE_ALL=1 npx mocha --config .mocharc.containers.json
echo "== containers took $((SECONDS - containers_started)) s"
