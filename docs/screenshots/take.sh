#!/usr/bin/env bash
# Takes the screenshots in this folder from the real window under Xvfb (no GPU: wgpu on
# Mesa llvmpipe), with the reference data of data/rw08 imported into a fresh book.
#
#   apt-get install -y xvfb imagemagick xdotool   # plus scripts/setup-deps
#   RUKUN=target/debug/rukun docs/screenshots/take.sh
#
# Coordinates are logical points at scale 1 (Xvfb has no HiDPI).
set -euo pipefail
cd "$(dirname "$0")/../.."
RUKUN=${RUKUN:-target/release/rukun}
OUT=docs/screenshots
WORK=$(mktemp -d)
export RUKUN_PASSPHRASE='kata sandi yang panjang' RUKUN_INSECURE_FAST_KDF=1
export XDG_CONFIG_HOME=$WORK/config XDG_DATA_HOME=$WORK/data
B="$RUKUN --book $WORK/book"
D=data/rw08
$B init --name "Warga Rukun" --kelurahan Sorosutan --kode-wilayah 34.71.13.1006 \
        --rw 8 --rt 27,28,29,30,31 --member "Bu Sri" >/dev/null
for k in penduduk:rw08-penduduk survei:rw08-survei-rumah donatur:donatur iuran:iuran-2025 \
         pmks:pmks-2025 santunan:santunan-2025; do
  $B import "${k%%:*}" "$D/${k#*:}.csv" >/dev/null 2>&1 || true
done

Xvfb :77 -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
XVFB=$!
trap 'kill $APP $XVFB 2>/dev/null || true; rm -rf "$WORK"' EXIT
export DISPLAY=:77
sleep 1
unset RUKUN_PASSPHRASE
$RUKUN --book "$WORK/book" >/dev/null 2>&1 &
APP=$!
sleep 8
shot() { sleep "${2:-2}"; import -window root "$OUT/$1.png"; }
WIN=$(xdotool search --name '^Rukun$' | head -1)
shot terkunci_1280x800
xdotool windowfocus --sync "$WIN"; xdotool mousemove 200 180 click 1; sleep 1
xdotool type --delay 30 'kata sandi yang panjang'; xdotool key Return
sleep 6
shot beranda_1280x800
# The navigation column: one button every 42 points from y=77.
i=0
for s in beranda rumah_tangga pmks donatur santunan laporan sinkron tinjau; do
  xdotool mousemove 60 $((77 + 42 * i)) click 1
  [ "$s" = beranda ] || shot "${s}_1280x800"
  i=$((i + 1))
done
# A household: the first row of the list.
xdotool mousemove 60 119 click 1; sleep 1
xdotool mousemove 330 280 click 1
shot rumah_tangga_form_1280x800
# A phone-sized window: the menu button opens the screens.
xdotool windowsize "$WIN" 360 740
sleep 2
xdotool mousemove 30 28 click 1; sleep 1
xdotool mousemove 180 80 click 1
shot beranda_360x740
i=0
for s in beranda rumah_tangga pmks donatur santunan laporan sinkron tinjau; do
  xdotool mousemove 30 28 click 1; sleep 1
  [ "$s" = beranda ] && { shot menu_360x740 1; }
  xdotool mousemove 180 $((80 + 56 * i)) click 1
  [ "$s" = beranda ] || shot "${s}_360x740"
  i=$((i + 1))
done
for f in "$OUT"/*_360x740.png; do convert "$f" -crop 360x740+0+0 +repage "$f"; done
