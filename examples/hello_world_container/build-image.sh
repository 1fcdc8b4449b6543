#!/usr/bin/env bash
# Builds SWEEP's demo image `hello_world:latest` from Debian's busybox-static (no registry is reachable here) and
# saves it as a docker-archive, ready for `sweep container upload-image cdef_hello_world hello_world.tar`.
#   build-image.sh [ARCHIVE]     default: hello_world.tar next to this script
# The image: /bin/busybox plus a link for every applet (sh, echo, cat, env, test, sleep, nc, …), a printenv, and
# `echo "Hello world!"` as its command. podman works in a private, temporary storage, so the host's own images and
# containers are left alone.
set -euo pipefail
# The container runs as nobody: its directories and busybox must be readable by others whatever umask the caller
# had (with 077, e.g. from a script writing secrets, `sh` was "not found in $PATH" inside the container).
umask 022
here=$(cd "$(dirname "$0")" && pwd)
archive=$(realpath -m "${1:-$here/hello_world.tar}")
busybox=$(command -v busybox)  # Debian's busybox-static: no shared library needed inside the image
work=$(mktemp -d)
podman=(podman --root "$work/storage" --runroot "$work/run" --runtime runc)
cleanup() { "${podman[@]}" rmi --all --force >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

mkdir -p "$work/rootfs/bin" "$work/rootfs/usr/bin" "$work/rootfs/sbin" "$work/rootfs/usr/sbin" "$work/rootfs/tmp" "$work/rootfs/etc"
cp "$busybox" "$work/rootfs/bin/busybox"
for applet in $("$busybox" --list-full); do
  [ -e "$work/rootfs/$applet" ] || ln -s /bin/busybox "$work/rootfs/$applet"
done
# busybox-static has no printenv applet (SWEEP's examples 6-8 call it): a script with coreutils' behaviour.
cat >"$work/rootfs/usr/bin/printenv" <<'SH'
#!/bin/sh
[ $# -eq 0 ] && exec env
status=0
for name in "$@"; do
  awk -v n="$name" 'BEGIN { if (n in ENVIRON) print ENVIRON[n]; else exit 1 }' || status=1
done
exit $status
SH
chmod 755 "$work/rootfs/usr/bin/printenv"
echo "nobody:x:65534:65534:nobody:/tmp:/bin/sh" >"$work/rootfs/etc/passwd"
echo "nogroup:x:65534:" >"$work/rootfs/etc/group"
tar -C "$work/rootfs" -cf "$work/rootfs.tar" .
"${podman[@]}" import --quiet --change 'CMD ["echo", "Hello world!"]' "$work/rootfs.tar" hello_world:latest >/dev/null
rm -f "$archive"
"${podman[@]}" save --format docker-archive -o "$archive" hello_world:latest >/dev/null 2>&1
echo "$archive"
