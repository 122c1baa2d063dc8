using System.Text;

namespace Appliance.Host.Dashboard;

/// <summary>Draws frames on a terminal without flicker: the alternate screen, cursor hidden, each frame written
/// in one call over the previous one (cursor home, every line cleared to its end, the rest of the screen cleared).
/// The caller sizes the frame to the terminal (<see cref="DashboardRenderer"/>).</summary>
internal sealed class TerminalFrameWriter(TextWriter output) : IDisposable
{
    private bool _entered;

    public void Draw(IReadOnlyList<string> lines)
    {
        var frame = new StringBuilder(4096);
        if (!_entered)
        {
            frame.Append("\e[?1049h\e[?25l");
            _entered = true;
        }
        frame.Append("\e[H");
        for (int i = 0; i < lines.Count; i++)
        {
            // No newline after the last line: on a full screen it would scroll the header away.
            frame.Append(lines[i]).Append("\e[K");
            if (i < lines.Count - 1) frame.Append("\r\n");
        }
        frame.Append("\e[J");
        output.Write(frame.ToString());
        output.Flush();
    }

    public void Dispose()
    {
        if (!_entered) return;
        output.Write("\e[?25h\e[?1049l");
        output.Flush();
    }
}
