using System.Runtime.InteropServices;

namespace Appliance.Bridge.Interop.Sqlite;

/// <summary>An open <c>sqlite3*</c>; released with sqlite3_close_v2, which defers the close until statements are finalized.</summary>
internal sealed class SqliteDatabaseHandle : SafeHandle
{
    public SqliteDatabaseHandle() : base(nint.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == nint.Zero;

    protected override bool ReleaseHandle() => SqliteNative.CloseV2(handle) == SqliteResult.Ok;
}
