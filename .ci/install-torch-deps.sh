#!/usr/bin/env bash
# Installs what @reca/runtime-torch builds against on Debian: libtorch (ATen) and an OpenMP OpenBLAS (Debian's libtorch
# otherwise uses the reference BLAS, ~25× slower). The addon itself is built by the package's install script.
set -euo pipefail
if [ "$(id -u)" != 0 ]; then echo "install-torch-deps: needs root (apt-get)" >&2; exit 1; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq libtorch-dev libopenblas0-openmp >/dev/null
echo "install-torch-deps: libtorch-dev $(dpkg-query -W -f='${Version}' libtorch-dev) installed"
