# curl from Debian, with the official image's entrypoint, user (curl_user,
# uid 100, gid 101) and CA bundle variable.
debian_rootfs essential curl ca-certificates
add_user curl_user 100 curl_group 101 /home/curl_user
install -d -o 100 -g 101 "$root/home/curl_user"
install -m 755 "$src/entrypoint.sh" "$root/entrypoint.sh"
ln -s /etc/ssl/certs/ca-certificates.crt "$root/cacert.pem"

bah config --entrypoint '["/entrypoint.sh"]' --cmd '["curl"]' --user curl_user \
  --env PATH="$default_path" --env CURL_CA_BUNDLE=/cacert.pem "$ctr"
