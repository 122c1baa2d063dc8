using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Appliance.Integration.Support;
using Appliance.Qmp.Streaming;
using Appliance.TestSupport.Files;
using Appliance.TestSupport.Qemu;
using Appliance.TestSupport.Waiting;

namespace Appliance.Integration;

/// <summary>One QMP script (tests/TestSupport/Qemu/Transcripts/qmp-script.txt) against a real qemu-system-x86_64 and
/// against `appliance emu`, compared step by step by shape: reply kind, error class, id echo, return keys, events and
/// their data keys. Between steps a sync command is written with no trailing newline, as qemu.qmp writes
/// qmp_capabilities, so every step is also a test of a client that never sends a line end.</summary>
public sealed class QmpDifferentialTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_emulator_answers_the_script_step_by_step_as_real_QEMU_does()
    {
        List<List<string>> qemuShapes, emuShapes;
        using (var qemu = QemuProcess.Start())
        {
            qemuShapes = await RunScriptAsync(qemu.SocketPath);
        }
        using (var dir = new TempDirectory())
        {
            string socket = dir.File("vm.qmp");
            await using var emu = ApplianceProcess.Start(["emu", "--name", "vm", "--qmp", "unix:" + socket]);
            await Eventually.TrueAsync(() => File.Exists(socket), "the emulated VM's QMP socket", Wait);
            // The QEMU above boots no OS, so nothing answers its power button; the emulated guest ignores it too, or
            // under load its power-off after system_powerdown would close the connection before the script ends.
            await using (var setup = await QmpSession.ConnectAsync(socket))
            {
                await setup.ExecuteAsync("x-guest-acpi", """{"aware":false}""");
            }
            emuShapes = await RunScriptAsync(socket);
        }

        var inputs = QmpTranscript.Qemu72.Steps;
        Assert.Equal(inputs.Count + 1, qemuShapes.Count);
        for (int i = 0; i < qemuShapes.Count; i++)
        {
            string step = i == 0 ? "greeting" : inputs[i - 1].Shown;
            Assert.True(qemuShapes[i].SequenceEqual(emuShapes[i]),
                $"step {i} ({step})\nQEMU: {string.Join(" | ", qemuShapes[i])}\nemu:  {string.Join(" | ", emuShapes[i])}");
        }
    }

    /// <summary>Runs the script on a fresh connection; one list of shapes for the greeting, then one per step.</summary>
    private static async Task<List<List<string>>> RunScriptAsync(string socketPath)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath)).WaitAsync(Wait);
        await using var stream = new NetworkStream(socket);
        var reader = new QmpStreamReader(stream);
        List<List<string>> shapes = [[Shape(await ReadAsync(reader))]];
        var steps = QmpTranscript.Qemu72.Steps;
        for (int i = 0; i < steps.Count; i++)
        {
            await stream.WriteAsync(steps[i].Input);
            bool last = i == steps.Count - 1;
            string sync = $"sync-{i}";
            if (!last) await stream.WriteAsync(Encoding.ASCII.GetBytes($"{{\"execute\":\"query-name\",\"id\":\"{sync}\"}}"));
            int eventsExpected = steps[i].Output.Count(line => line.Contains("\"event\": ", StringComparison.Ordinal));
            var replies = new List<string>();
            var events = new List<string>();
            bool synced = last;
            while (!synced || events.Count < eventsExpected)
            {
                QmpStreamFrame frame;
                try
                {
                    frame = await reader.ReadAsync().AsTask().WaitAsync(Wait);
                }
                catch (IOException) when (last)
                {
                    // QEMU exiting on quit may reset rather than close the socket; what it sent before is compared.
                    break;
                }
                catch (TimeoutException) when (synced)
                {
                    // Fewer events than QEMU recorded: the comparison below names the step.
                    break;
                }
                if (frame.Kind == QmpFrameKind.EndOfStream)
                {
                    Assert.True(last, $"the server closed the connection after step {i}");
                    break;
                }
                using var doc = JsonDocument.Parse(frame.Bytes);
                if (doc.RootElement.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() == sync)
                {
                    synced = true;
                    continue;
                }
                (doc.RootElement.TryGetProperty("event", out _) ? events : replies).Add(Shape(doc.RootElement));
            }
            // QEMU raises reset and powerdown events from its main loop, so under load they may follow the sync
            // reply: a step waits for as many events as the recording has and compares replies and events apart.
            shapes.Add([.. replies, .. events]);
        }
        return shapes;
    }

    private static async Task<JsonElement> ReadAsync(QmpStreamReader reader)
    {
        var frame = await reader.ReadAsync().AsTask().WaitAsync(Wait);
        Assert.Equal(QmpFrameKind.Value, frame.Kind);
        return JsonDocument.Parse(frame.Bytes).RootElement;
    }

    /// <summary>What must agree between QEMU and the emulator: the kind of message, the error class, the id as echoed,
    /// the keys of a return, an event's name and its data keys (values such as timestamps and versions may differ).</summary>
    private static string Shape(JsonElement message)
    {
        string id = message.TryGetProperty("id", out var i) ? " id=" + i.GetRawText() : "";
        if (message.TryGetProperty("QMP", out var qmp)) return "greeting " + Keys(qmp) + " capabilities=" + qmp.GetProperty("capabilities").GetRawText();
        if (message.TryGetProperty("error", out var error)) return $"error {error.GetProperty("class").GetString()}{id}";
        if (message.TryGetProperty("return", out var ret)) return $"return {Keys(ret)}{id}";
        if (message.TryGetProperty("event", out var name))
        {
            return $"event {name.GetString()}" + (message.TryGetProperty("data", out var data) ? " " + Keys(data) : "");
        }
        return "unknown " + message.GetRawText();
    }

    private static string Keys(JsonElement value) => value.ValueKind == JsonValueKind.Object
        ? "{" + string.Join(",", value.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)) + "}"
        : value.ValueKind.ToString();
}
