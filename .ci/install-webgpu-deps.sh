#!/usr/bin/env bash
# Installs what the webgpu backend tests need on Debian bookworm: a Vulkan loader and Mesa 25's lavapipe
# (software Vulkan) from bookworm-backports. Debian's default Mesa 22.3 lavapipe is rejected by Dawn.
set -euo pipefail
if [ "$(id -u)" != 0 ]; then echo "install-webgpu-deps: needs root (apt-get)" >&2; exit 1; fi
list=/etc/apt/sources.list.d/reca-bookworm-backports.sources
if [ ! -f "$list" ]; then
  cat > "$list" <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null
echo "install-webgpu-deps: $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers) mesa-vulkan-drivers installed"
