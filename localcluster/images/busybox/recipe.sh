# Debian's static busybox with every applet linked in /bin, a passwd and group
# with root and nobody, and the official image's top-level directories.
# nslookup is a script around the applet that applies the search domains.
into=$work/busybox-deb debian_rootfs extract busybox-static
mkdir -p "$root"/{bin,dev,etc,home,proc,root,sys,tmp,usr/sbin,var/spool/mail,var/www}
chmod 1777 "$root/tmp"
chmod 700 "$root/root"
install -m 755 "$work/busybox-deb/bin/busybox" "$root/bin/busybox"
chroot "$root" /bin/busybox --install -s /bin
grep -qx nslookup <(chroot "$root" busybox --list)
install -m 755 "$src/nslookup" "$root/bin/nslookup"
printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'daemon:x:1:1:daemon:/usr/sbin:/bin/false' \
  'www-data:x:33:33:www-data:/var/www:/bin/false' 'nobody:x:65534:65534:nobody:/home:/bin/false' \
  >"$root/etc/passwd"
printf '%s\n' 'root:x:0:' 'daemon:x:1:' 'www-data:x:33:' 'nogroup:x:65534:' >"$root/etc/group"

bah config --cmd '["sh"]' --env PATH="$default_path" "$ctr"
