# Installing Debian packages without starting their services. Source, do not run.

# lc_apt_install [-t RELEASE] PACKAGE...: apt-get install, quietly, without recommends. The
# packages ship services (etcd, containerd, docker-registry, docker); the project runs its own
# instances, never the system ones, so a policy-rc.d that says "no" (101) keeps the packages from
# starting them at all and nothing needs stopping afterwards. A machine's own policy-rc.d is put
# back as it was.
lc_apt_install() {
  local policy=/usr/sbin/policy-rc.d saved="" status=0
  if [ -e "$policy" ]; then saved=$(mktemp); cp -p "$policy" "$saved"; fi
  printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod 755 "$policy"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null || status=$?
  if [ -n "$saved" ]; then mv -f "$saved" "$policy"; else rm -f "$policy"; fi
  return $status
}
