# Source THERE, on the GPU machine, from the repository root (after tools/device_prepare.sh ran here and .whl, .gl were carried):
# installs the wheels into /tmp/site and the GL libraries, and points EGL at NVIDIA's driver.
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || return 1
export PYTHONPATH=/tmp/site:$PWD${PYTHONPATH:+:$PYTHONPATH}
for f in .gl/root/*.deb; do dpkg -x "$f" /; done                     # GL dispatch libraries into / (no other way for libglvnd)
mkdir -p /tmp/gl-side; for f in .gl/side/*.deb; do dpkg -x "$f" /tmp/gl-side; done   # fonts for pyglet, kept aside
export LD_LIBRARY_PATH=/tmp/gl-side/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
ldconfig; ldconfig /tmp/gl-side/usr/lib/x86_64-linux-gnu
export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
export FONTCONFIG_PATH=/tmp/gl-side/etc/fonts
