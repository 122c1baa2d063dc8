namespace Appliance.Integration.Support;

/// <summary>Asks the sqlite3 command-line tool, an independent reader of the journal file.</summary>
internal static class Sqlite3
{
    public static async Task<string> QueryAsync(string database, string sql)
    {
        var (exit, output, error) = await ToolRun.RunAsync("sqlite3", ["-readonly", database, sql], TimeSpan.FromSeconds(60));
        return exit == 0 ? output.Trim() : throw new InvalidOperationException($"sqlite3 failed: {error}");
    }

    public static async Task<long> CountAsync(string database, string where = "1")
    {
        try
        {
            return long.Parse(await QueryAsync(database, $"SELECT count(*) FROM events WHERE {where}"), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (InvalidOperationException)
        {
            return 0; // not created yet
        }
    }
}
