#!/bin/sh
# Runs a command the way systemd's ProtectSystem=strict, PrivateTmp= and ProtectHome= would,
# as far as a container without systemd allows (tests/package/package.test.sh): in a private
# mount namespace every mount but /proc, /sys and /dev is read-only except STATE_DIR, /tmp and
# /var/tmp are fresh and empty, /home, /root and /run/user are empty.
#
# Usage (as root): unshare --mount -- tests/package/sandbox.sh STATE_DIR COMMAND [ARG...]
set -e
state_dir=$1
shift
mount --make-rprivate /
awk '{ print $5 }' /proc/self/mountinfo | sort -u | while read -r m; do
  case $m in /proc | /proc/* | /sys | /sys/* | /dev | /dev/*) continue ;; esac
  mount -o remount,bind,ro "$m"
done
mount --bind "$state_dir" "$state_dir"
mount -o remount,bind,rw "$state_dir"
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=1777 tmpfs /var/tmp
for h in /home /root /run/user; do
  if [ -d "$h" ]; then mount -t tmpfs -o mode=0755 tmpfs "$h"; fi
done
exec "$@"
