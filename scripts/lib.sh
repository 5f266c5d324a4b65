# Shared steps of scripts/start.sh and scripts/test.sh (sourced, not run).

# Installs npm dependencies when node_modules is missing or older than the lockfile.
ensure_node_modules() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "[hma] installing npm dependencies (npm ci)"
    npm ci --no-audit --no-fund
  fi
}

# Installs the Debian packages listed in scripts/system-packages.txt that are missing.
ensure_system_packages() {
  local wanted=() missing=() pkg
  mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' scripts/system-packages.txt | grep -v '^$')
  for pkg in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "[hma] installing Debian packages: ${missing[*]}"
  local sudo=''
  [ "$(id -u)" -eq 0 ] || sudo='sudo'
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Builds the native JPEG decoder (scripts/build-native.sh) when its build is missing or stale.
ensure_native() {
  bash scripts/build-native.sh
}

hma() {
  node bin/hma.js "$@"
}
