using System.CommandLine;
using Appliance.Bridge.Journal;
using Appliance.Host.Cli.Events;
using Appliance.Host.Configuration;
using Appliance.Host.Hosting;
using Microsoft.Extensions.Options;

namespace Appliance.Host.Cli;

/// <summary><c>appliance events</c>: query and follow the journal, as a table or as JSON lines.</summary>
internal static class EventsVerb
{
    public static Command Create()
    {
        var config = CommonOptions.Config();
        var journal = new Option<string?>("--journal") { Description = "Journal file (default: the configured Journal:Path; beside scripts/demo.sh, the demo's .state/journal.db)", HelpName = "PATH" };
        var vm = new Option<string?>("--vm") { Description = "Only this VM", HelpName = "NAME" };
        var type = new Option<string?>("--type") { Description = "Only these events, comma separated, any case (e.g. WATCHDOG,GUEST_PANICKED or watchdog)", HelpName = "NAME,..." };
        var since = new Option<string?>("--since") { Description = "Only events received since a duration ago (10m, 2h, 1d) or a time (ISO 8601)", HelpName = "WHEN" };
        var until = new Option<string?>("--until") { Description = "Only events received before a duration ago or a time", HelpName = "WHEN" };
        var limit = new Option<int>("--limit") { Description = "At most this many (the newest), oldest first", DefaultValueFactory = _ => 100, HelpName = "N" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new events as they are committed (Ctrl+C to stop)" };
        var json = CommonOptions.Json();
        var command = new Command("events", "Show events from the journal") { config, journal, vm, type, since, until, limit, follow, json };
        command.SetAction(async (parse, ct) =>
        {
            var now = DateTimeOffset.UtcNow;
            DateTimeOffset? from = null, to = null;
            if (parse.GetValue(since) is { } s)
            {
                if (!JournalTimeParser.TryParse(s, now, out var t, out var error)) return CliErrors.Report($"--since: {error}", ExitCodes.Usage);
                from = t;
            }
            if (parse.GetValue(until) is { } u)
            {
                if (!JournalTimeParser.TryParse(u, now, out var t, out var error)) return CliErrors.Report($"--until: {error}", ExitCodes.Usage);
                to = t;
            }
            int max = parse.GetValue(limit);
            if (max < 1) return CliErrors.Report($"--limit {max}: must be 1 or more", ExitCodes.Usage);

            string path;
            try
            {
                path = parse.GetValue(journal) ?? JournalPathFromConfiguration(parse.GetValue(config));
            }
            catch (ConfigurationFileException e)
            {
                return CliErrors.Report(e.Message, ExitCodes.Usage);
            }
            catch (OptionsValidationException e)
            {
                return CliErrors.ReportConfiguration(e.Failures);
            }

            EventJournal reader;
            try
            {
                reader = EventJournal.OpenReadOnly(path);
            }
            catch (Exception e) when (e is FileNotFoundException or IOException or Bridge.Sqlite.SqliteException)
            {
                return CliErrors.Report($"journal {path}: {e.Message}", ExitCodes.Failure);
            }
            using (reader)
            {
                // QMP event names are upper case; --type watchdog means WATCHDOG.
                string[]? types = parse.GetValue(type)?.ToUpperInvariant().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var query = new JournalQuery(parse.GetValue(vm), types, from, to, 0, max);
                bool asJson = parse.GetValue(json);
                using var stdout = Console.OpenStandardOutput();
                if (!asJson) Console.WriteLine(JournalTableFormatter.Header);
                long last = 0;
                foreach (var entry in reader.Query(query))
                {
                    Print(stdout, entry, asJson);
                    last = entry.Seq;
                }
                if (!parse.GetValue(follow)) return ExitCodes.Ok;
                var follower = new JournalFollower(reader, TimeSpan.FromMilliseconds(200));
                try
                {
                    await foreach (var entry in follower.FollowAsync(query with { AfterSeq = Math.Max(last, reader.LastCommittedSeq), Since = null }, ct).ConfigureAwait(false))
                    {
                        Print(stdout, entry, asJson);
                    }
                }
                catch (OperationCanceledException)
                {
                    // Ctrl+C ends following.
                }
                return ExitCodes.Ok;
            }
        });
        return command;
    }

    private static void Print(Stream stdout, JournalEntry entry, bool asJson)
    {
        if (asJson)
        {
            JournalJsonLinesFormatter.Write(stdout, entry);
        }
        else
        {
            Console.WriteLine(JournalTableFormatter.Format(entry));
        }
        stdout.Flush();
    }

    private static string JournalPathFromConfiguration(string? configFile)
    {
        var configuration = ConfigurationLayers.Build(configFile, new Dictionary<string, string?>());
        using var effective = EffectiveOptions.Load(configuration);
        return ApplianceLocator.DemoJournal(configuration, effective.Journal.Path) ?? effective.Journal.Path;
    }
}
