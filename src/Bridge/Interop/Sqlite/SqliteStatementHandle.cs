using System.Runtime.InteropServices;

namespace Appliance.Bridge.Interop.Sqlite;

/// <summary>A prepared <c>sqlite3_stmt*</c>; released with sqlite3_finalize.</summary>
internal sealed class SqliteStatementHandle : SafeHandle
{
    public SqliteStatementHandle() : base(nint.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == nint.Zero;

    // finalize returns the statement's last error, not a failure to free it: the handle is gone either way.
    protected override bool ReleaseHandle()
    {
        SqliteNative.Finalize(handle);
        return true;
    }
}
