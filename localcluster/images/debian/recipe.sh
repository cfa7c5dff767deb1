# A minimal Debian (bookworm: Debian 10's packages are no longer served).
debian_rootfs minbase
bah config --cmd '["bash"]' --env PATH="$default_path" "$ctr"
