# Our own pause.c, static, alone in the image, running as 65535 like upstream's.
gcc -static -Os -s -Wall -o "$root/pause" "$src/pause.c"
bah config --entrypoint '["/pause"]' --user 65535:65535 "$ctr"
