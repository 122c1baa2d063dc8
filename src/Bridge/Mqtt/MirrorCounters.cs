namespace Appliance.Bridge.Mqtt;

/// <summary>What the mirror has done so far, published retained on <c>{prefix}/{node}/mirror</c>.</summary>
public sealed class MirrorCounters
{
    private long _published;
    private long _acknowledged;
    private long _rejected;
    private long _quarantined;
    private long _lostToRetention;
    private long _skippedForBacklog;
    private long _commands;
    private long _commandErrors;
    private long _commandsQueueFull;
    private long _commandsRateLimited;
    private long _replyTopicsRefused;

    /// <summary>Event messages handed to the broker (including re-sends).</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Event messages the broker acknowledged.</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    /// <summary>PUBACKs with a failure reason code.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Events given up on (too large, malformed, or rejected too often).</summary>
    public long Quarantined => Interlocked.Read(ref _quarantined);

    /// <summary>Events retention removed before the mirror could send them.</summary>
    public long LostToRetention => Interlocked.Read(ref _lostToRetention);

    /// <summary>Commands received.</summary>
    public long Commands => Interlocked.Read(ref _commands);

    /// <summary>Commands answered with an error.</summary>
    public long CommandErrors => Interlocked.Read(ref _commandErrors);

    /// <summary>Commands refused because the command queue was full.</summary>
    public long CommandsQueueFull => Interlocked.Read(ref _commandsQueueFull);

    /// <summary>Commands refused because their VM was over its command rate.</summary>
    public long CommandsRateLimited => Interlocked.Read(ref _commandsRateLimited);

    /// <summary>Commands refused because they asked for a reply on a topic outside the reply filter.</summary>
    public long ReplyTopicsRefused => Interlocked.Read(ref _replyTopicsRefused);

    internal void AddPublished() => Interlocked.Increment(ref _published);

    internal void AddAcknowledged() => Interlocked.Increment(ref _acknowledged);

    internal void AddRejected() => Interlocked.Increment(ref _rejected);

    internal void AddQuarantined() => Interlocked.Increment(ref _quarantined);

    /// <summary>Events skipped for MQTT because the backlog passed <see cref="MqttMirrorOptions.MaxBacklogAge"/> or
    /// <see cref="MqttMirrorOptions.MaxBacklogEvents"/> (they stay in the journal).</summary>
    public long SkippedForBacklog => Interlocked.Read(ref _skippedForBacklog);

    internal void AddSkippedForBacklog(long count) => Interlocked.Add(ref _skippedForBacklog, count);

    internal void AddLostToRetention(long count) => Interlocked.Add(ref _lostToRetention, count);

    internal void AddCommand() => Interlocked.Increment(ref _commands);

    internal void AddCommandError() => Interlocked.Increment(ref _commandErrors);

    internal void AddQueueFull() => Interlocked.Increment(ref _commandsQueueFull);

    internal void AddRateLimited() => Interlocked.Increment(ref _commandsRateLimited);

    internal void AddReplyTopicRefused() => Interlocked.Increment(ref _replyTopicsRefused);
}
