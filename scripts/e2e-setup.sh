#!/usr/bin/env bash
# Sets up a real VS Code workbench (npm code-server 4.100.3, the last that runs on Node 20) and Debian's chromium for
# test/e2e. Idempotent: the install is cached in $BISE_E2E_CACHE (default ~/.cache/bise-e2e) and reused when its
# stamp file exists; apt-get runs only for packages that are missing. Recipe: ../shared/docs/machine-notes.md.
set -euo pipefail
CS_VERSION=4.100.3
CACHE="${BISE_E2E_CACHE:-$HOME/.cache/bise-e2e}"
CS_ROOT="$CACHE/code-server-$CS_VERSION"
STAMP="$CS_ROOT/.ready"

need=()
for p in chromium ripgrep libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "e2e-setup: apt-get install ${need[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if [ -f "$STAMP" ]; then
  echo "e2e-setup: code-server $CS_VERSION cached in $CS_ROOT"
  exit 0
fi
echo "e2e-setup: installing code-server $CS_VERSION into $CS_ROOT"
rm -rf "$CS_ROOT"
mkdir -p "$CS_ROOT"
cd "$CS_ROOT"
echo '{"name":"bise-e2e-code-server","private":true}' > package.json
npm i --no-audit --no-fund --ignore-scripts "code-server@$CS_VERSION"
cd node_modules/code-server/lib/vscode
npm install --no-audit --no-fund --omit=dev --ignore-scripts
mkdir -p node_modules/@vscode/ripgrep/bin
cp /usr/bin/rg node_modules/@vscode/ripgrep/bin/rg
# exits 1 only because node-pty's extra compile_commands step fails; the .node files are built
npm rebuild kerberos @parcel/watcher @vscode/deviceid @vscode/spdlog native-watchdog node-pty || true
node -e "for (const m of ['kerberos', '@parcel/watcher', '@vscode/spdlog', 'native-watchdog', 'node-pty']) require(m)"
ln -sfn node_modules node_modules.asar
(cd extensions && npm install --no-audit --no-fund --omit=dev)
cd "$CS_ROOT"
npm rebuild argon2
touch "$STAMP"
echo "e2e-setup: done"
