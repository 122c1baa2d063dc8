// Command goqmp drives one QMP server through go-qemu (Debian: golang-github-digitalocean-go-qemu-dev) as a Go
// program written for real QEMU would, and prints a transcript without the values that differ between two servers
// (timestamps, package strings, micro versions). GoQemuClientTests runs it against qemu-system-x86_64 and against
// `appliance emu` and compares the two transcripts line by line. It exits 1 when a reply cannot be decoded or an
// expected event does not come.
//
// go-qemu writes each command with no trailing newline and reads replies and events as lines.
//
// Usage: goqmp unix|tcp ADDRESS   (the server should be running, not started with -S, and named)
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/digitalocean/go-qemu/qmp"
	"github.com/digitalocean/go-qemu/qmp/raw"
)

const wait = 10 * time.Second

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: goqmp unix|tcp ADDRESS")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "goqmp:", err)
		os.Exit(1)
	}
}

// step is one command: its name in the transcript, the call (its result as text), the events it must bring.
type step struct {
	name string
	call func() (string, error)
	want []string
}

func run(network, address string) error {
	mon, err := qmp.NewSocketMonitor(network, address, wait)
	if err != nil {
		return err
	}
	if err := mon.Connect(); err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	fmt.Printf("connect: version %d.%d capabilities %v\n", mon.Version.QEMU.Major, mon.Version.QEMU.Minor, mon.Capabilities)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stream, err := mon.Events(ctx)
	if err != nil {
		return fmt.Errorf("events: %w", err)
	}
	events := collect(stream)
	r := raw.NewMonitor(mon)

	// Typed calls from go-qemu's generated API: it decodes each reply into QAPI's types (RunState rejects an
	// unknown status).
	status := func() (string, error) {
		s, err := r.QueryStatus()
		return fmt.Sprintf("status=%s running=%t singlestep=%t", s.Status, s.Running, s.Singlestep), err
	}
	version := func() (string, error) {
		v, err := r.QueryVersion()
		return fmt.Sprintf("qemu %d.%d package-set=%t", v.Qemu.Major, v.Qemu.Minor, v.Package != ""), err
	}
	plain := func(call func() error) func() (string, error) {
		return func() (string, error) { return "ok", call() }
	}
	// The plain monitor: the command as bytes, the reply as go-qemu hands it back.
	bytes := func(command string) func() (string, error) {
		return func() (string, error) {
			reply, err := mon.Run([]byte(command))
			if err != nil {
				return "", err
			}
			var decoded struct {
				Return map[string]json.RawMessage `json:"return"`
				ID     string                     `json:"id"`
			}
			if err := json.Unmarshal(reply, &decoded); err != nil {
				return "", fmt.Errorf("reply %q: %w", reply, err)
			}
			return fmt.Sprintf("return keys %v id=%s", keysOf(decoded.Return), decoded.ID), nil
		}
	}
	nope := "nope"

	steps := []step{
		{"query-status", status, nil},
		{"query-version", version, nil},
		{"query-name", bytes(`{"execute":"query-name","id":"go-1"}`), nil},
		{"no-such-command", bytes(`{"execute":"no-such-command"}`), nil},
		{"query-status with an unexpected argument", bytes(`{"execute":"query-status","arguments":{"verbose":true}}`), nil},
		{"stop", plain(r.Stop), []string{"STOP"}},
		{"stop again", plain(r.Stop), nil},
		{"query-status", status, nil},
		{"cont", plain(r.Cont), []string{"RESUME"}},
		{"cont again", plain(r.Cont), nil},
		{"query-status", status, nil},
		{"stop", plain(r.Stop), []string{"STOP"}},
		// Reset while paused: the guest does not run again, so no guest-initiated RESET follows (a running SeaBIOS
		// resets once more after a host reset, at a moment that depends on the host's speed).
		{"system_reset", plain(r.SystemReset), []string{"RESET"}},
		{"query-status", status, nil},
		{"device_del of an unknown device", plain(func() error { return r.DeviceDel(nope) }), nil},
		{"eject of an unknown device", plain(func() error { return r.Eject(nil, &nope, nil) }), nil},
	}
	for _, s := range steps {
		text, err := s.call()
		if err != nil {
			text = "error: " + err.Error()
		}
		fmt.Printf("%s: %s\n", s.name, text)
		for _, name := range s.want {
			line, err := events.expect(name)
			if err != nil {
				return fmt.Errorf("%s: %w", s.name, err)
			}
			fmt.Printf("%s: %s\n", s.name, line)
		}
	}
	unasked, _ := events.rest(200 * time.Millisecond)
	fmt.Printf("events nobody asked for: %v\n", unasked)

	// quit: the reply, SHUTDOWN, then the server closes the connection (go-qemu closes its event channel).
	if err := r.Quit(); err != nil {
		return fmt.Errorf("quit: %w", err)
	}
	line, err := events.expect("SHUTDOWN")
	if err != nil {
		return fmt.Errorf("quit: %w", err)
	}
	fmt.Printf("quit: ok\nquit: %s\n", line)
	after, closed := events.rest(wait)
	fmt.Printf("after quit: events %v, connection closed %t\n", after, closed)
	return nil
}

// collector drains the monitor's event channel at once (go-qemu's reader blocks on an unread event, and every reply
// behind it) and hands the events to the script in arrival order.
type collector struct {
	events chan qmp.Event
}

func collect(source <-chan qmp.Event) *collector {
	c := &collector{events: make(chan qmp.Event, 256)}
	go func() {
		defer close(c.events)
		for e := range source {
			c.events <- e
		}
	}()
	return c
}

// expect waits for the next event; it must be the named one.
func (c *collector) expect(name string) (string, error) {
	select {
	case e, ok := <-c.events:
		if !ok {
			return "", fmt.Errorf("connection closed while waiting for %s", name)
		}
		if e.Event != name {
			return "", fmt.Errorf("expected event %s, got %s", name, describe(e))
		}
		return describe(e), nil
	case <-time.After(wait):
		return "", fmt.Errorf("no %s event within %s", name, wait)
	}
}

// rest lists the events that arrive until the connection closes (closed is then true) or the grace period ends.
func (c *collector) rest(grace time.Duration) (events []string, closed bool) {
	events = []string{}
	deadline := time.After(grace)
	for {
		select {
		case e, ok := <-c.events:
			if !ok {
				return events, true
			}
			events = append(events, describe(e))
		case <-deadline:
			return events, false
		}
	}
}

// describe is an event's name, its data keys (with the values of guest and reason) and whether it has a timestamp.
func describe(e qmp.Event) string {
	keys := make([]string, 0, len(e.Data))
	for k, v := range e.Data {
		if k == "guest" || k == "reason" {
			keys = append(keys, fmt.Sprintf("%s=%v", k, v))
		} else {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return fmt.Sprintf("event %s {%s} timestamped=%t", e.Event, strings.Join(keys, ","), e.Timestamp.Seconds > 0)
}

func keysOf(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
