#!/bin/sh
# Runs as the arm64 VM's test (/test/run.sh) against the kernel's PL061 chip. Each step prints its output between
# "@@ BEGIN name" and "@@ END name rc=N" on the serial console; the host test asserts on them. At "@@ WAIT name"
# the host inspects the chip (QMP xp of the PL061 registers) or pulses the button line, then writes a line to the
# console to let the script go on. The same checks run twice in the one boot: with the board's default chardev
# driver (board qemu-virt, plain names) and with System.Device.Gpio's libgpiod driver (board qemu-virt-libgpiod,
# names prefixed "libgpiod-").
app=/appliance/appliance
cd /test
mount -t debugfs debugfs /sys/kernel/debug

step() { name=$p$1; shift; echo "@@ BEGIN $name"; "$@" 2>&1; echo "@@ END $name rc=$?"; }
wait_host() { echo "@@ WAIT $p$1"; read -r _ </dev/console; }
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

# checks PREFIX BOARD QMP-PORT
checks() {
  p=$1 board=$2 port=$3
  step gpio-list $app gpio list

  # gpio set holds the alarm LED until it is stopped; meanwhile a second holder is refused, naming the first.
  $app gpio set alarm on --board $board >/tmp/set.out 2>&1 &
  holder=$!
  until_ok 60 sh -c "$app gpio list | grep -q '\"appliance\"'"
  step held-list $app gpio list
  step held-kernel kernel_view
  step second-holder $app gpio set alarm off --board $board
  wait_host alarm-held
  kill -TERM $holder; wait $holder; echo "@@ INFO gpio set exited $? $(cat /tmp/set.out)"
  step released-list $app gpio list

  # Active-low: the relay is on (logically) while its line is physically low.
  $app gpio set alarm-relay on --config /test/relay-active-low.json --board $board >/tmp/set.out 2>&1 &
  holder=$!
  until_ok 60 sh -c "$app gpio list | grep -q '\"appliance\"'"
  step relay-on-kernel kernel_view
  wait_host relay-on
  kill -TERM $holder; wait $holder; echo "@@ INFO gpio set exited $? $(cat /tmp/set.out)"

  # The whole appliance: an emulated VM panics, the alarm latches; the power button line (QEMU's pulse) acknowledges.
  # One emulated VM on a TCP monitor, so that busybox nc can be a second QMP client beside the appliance. Each pass
  # has its own journal and state, so nothing latched in the first is replayed in the second.
  journal=/tmp/${p}journal.db
  $app emu --qmp tcp:127.0.0.1:$port --name vm1 >/tmp/emu.out 2>&1 &
  emu=$!
  until_ok 60 grep -q listening /tmp/emu.out
  APPLIANCE__STATEDIRECTORY=/tmp/${p}state APPLIANCE__RUNTIMEDIRECTORY=/tmp/${p}run \
    $app run --config /test/run.json --board $board --dashboard off --vm vm1=tcp:127.0.0.1:$port --journal $journal >/tmp/run.out 2>&1 &
  run=$!
  # Once the appliance watches vm1 (its first journal row), the guest kernel "panics": pvpanic's GUEST_PANICKED.
  until_ok 60 sh -c "$app events --journal $journal --vm vm1 | grep -q APPLIANCE_GAP"
  # The button line is held as an input by the running appliance: listed with its holder, and a second request
  # (here an output on the same line) is refused naming it.
  step running-list $app gpio list
  step input-second-holder $app gpio set alarm on --config /test/probe-button.json --board $board
  (printf '{"execute":"qmp_capabilities"}\n{"execute":"x-guest-panic"}\n'; sleep 1) | nc 127.0.0.1 $port >/dev/null
  until_ok 60 sh -c "$app events --journal $journal --type GUEST_PANICKED | grep -q GUEST_PANICKED"
  sleep 1
  step panicked-events $app events --journal $journal
  step panicked-kernel kernel_view
  wait_host panic-latched
  step before-button-irqs grep -i pl061 /proc/interrupts
  wait_host button
  until_ok 60 sh -c "$app events --journal $journal --type APPLIANCE_ALARM_ACK | grep -q APPLIANCE_ALARM_ACK" || {
    # What the appliance was doing when the acknowledgement did not come: its threads, descriptors and status.
    step no-ack-threads sh -c "for t in /proc/$run/task/*; do echo \$(cat \$t/comm) \$(cut -d' ' -f3 \$t/stat) \$(cat \$t/wchan 2>/dev/null); done"
    step no-ack-fds ls -l /proc/$run/fd
    step no-ack-status $app status --socket /tmp/${p}run/appliance.sock
    step no-ack-irqs grep -i pl061 /proc/interrupts
  }
  sleep 0.5
  step acked-events $app events --journal $journal --type APPLIANCE_ALARM_ACK --json
  step acked-kernel kernel_view
  wait_host acked
  kill -TERM $run; wait $run; rc=$?
  kill -TERM $emu 2>/dev/null; wait $emu
  echo "@@ BEGIN ${p}run-log"; cat /tmp/run.out; echo "@@ END ${p}run-log rc=$rc"
  step stopped-list $app gpio list
}

checks "" qemu-virt 4444
checks libgpiod- qemu-virt-libgpiod 4445
