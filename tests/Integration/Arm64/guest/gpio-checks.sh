#!/bin/sh
# Runs as the arm64 VM's test (/test/run.sh) against the kernel's PL061 chip. Each step prints its output between
# "@@ BEGIN name" and "@@ END name rc=N" on the serial console; the host test asserts on them. At "@@ WAIT name"
# the host inspects the chip (QMP xp of the PL061 registers) or pulses the button line, then writes a line to the
# console to let the script go on.
app=/appliance/appliance
cd /test
mount -t debugfs debugfs /sys/kernel/debug

step() { name=$1; shift; echo "@@ BEGIN $name"; "$@" 2>&1; echo "@@ END $name rc=$?"; }
wait_host() { echo "@@ WAIT $1"; read -r _ </dev/console; }
# The kernel's own view of the PL061's requested lines (holder, direction, level, active-low) from gpiolib's debugfs,
# its global numbers (gpio-505) turned into offsets on the chip (line 1).
kernel_view() {
  awk '/^gpiochip/ { on = /9030000.pl061/; if (on) { split($3, r, "-"); base = r[1] } }
       on && /gpio-/ { n = substr($1, 6); sub(/gpio-[0-9]+/, "line " (n - base)); print }' /sys/kernel/debug/gpio
}
# Polls a command until it succeeds or SECONDS pass; says which wait timed out.
until_ok() {
  end=$(($(date +%s) + $1)); shift
  while ! "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -ge "$end" ] && { echo "@@ TIMEOUT $*"; return 1; }
    sleep 0.2
  done
}

step gpio-list $app gpio list

# gpio set holds the alarm LED until it is stopped; meanwhile a second holder is refused, naming the first.
$app gpio set alarm on --board qemu-virt >/tmp/set.out 2>&1 &
holder=$!
until_ok 60 sh -c "$app gpio list | grep -q '\"appliance\"'"
step held-list $app gpio list
step held-kernel kernel_view
step second-holder $app gpio set alarm off --board qemu-virt
wait_host alarm-held
kill -TERM $holder; wait $holder; echo "@@ INFO gpio set exited $? $(cat /tmp/set.out)"
step released-list $app gpio list

# Active-low: the relay is on (logically) while its line is physically low.
$app gpio set alarm-relay on --config /test/relay-active-low.json >/tmp/set.out 2>&1 &
holder=$!
until_ok 60 sh -c "$app gpio list | grep -q '\"appliance\"'"
step relay-on-kernel kernel_view
wait_host relay-on
kill -TERM $holder; wait $holder; echo "@@ INFO gpio set exited $? $(cat /tmp/set.out)"

# The whole appliance: an emulated VM panics, the alarm latches; the power button line (QEMU's pulse) acknowledges.
# One emulated VM on a TCP monitor, so that busybox nc can be a second QMP client beside the appliance.
$app emu --qmp tcp:127.0.0.1:4444 --name vm1 >/tmp/emu.out 2>&1 &
emu=$!
until_ok 60 grep -q listening /tmp/emu.out
$app run --config /test/run.json --dashboard off --vm vm1=tcp:127.0.0.1:4444 --journal /tmp/journal.db >/tmp/run.out 2>&1 &
run=$!
# Once the appliance watches vm1 (its first journal row), the guest kernel "panics": pvpanic's GUEST_PANICKED.
until_ok 60 sh -c "$app events --journal /tmp/journal.db --vm vm1 | grep -q APPLIANCE_GAP"
(printf '{"execute":"qmp_capabilities"}\n{"execute":"x-guest-panic"}\n'; sleep 1) | nc 127.0.0.1 4444 >/dev/null
until_ok 60 sh -c "$app events --journal /tmp/journal.db --type GUEST_PANICKED | grep -q GUEST_PANICKED"
sleep 1
step panicked-events $app events --journal /tmp/journal.db
step panicked-kernel kernel_view
wait_host panic-latched
wait_host button
until_ok 60 sh -c "$app events --journal /tmp/journal.db --type APPLIANCE_ALARM_ACK | grep -q APPLIANCE_ALARM_ACK"
sleep 0.5
step acked-events $app events --journal /tmp/journal.db --type APPLIANCE_ALARM_ACK --json
step acked-kernel kernel_view
wait_host acked
kill -TERM $run; wait $run; rc=$?
kill -TERM $emu 2>/dev/null; wait $emu
echo "@@ BEGIN run-log"; cat /tmp/run.out; echo "@@ END run-log rc=$rc"
step stopped-list $app gpio list
