namespace Appliance.Bridge.Mqtt.Commands;

/// <summary>Where a caller may ask for its reply: topics under the reply filter (by default
/// <c>{prefix}/{node}/reply/#</c>), without wildcards. Anything else would let a caller make the appliance publish
/// on topics others trust, such as its own event topics (a confused deputy around the broker's ACLs).</summary>
internal sealed class ReplyTopicPolicy
{
    private const int MaxTopicLength = 512;
    private readonly string _base;

    /// <param name="filter">A valid filter (see <see cref="IsValidFilter"/>).</param>
    public ReplyTopicPolicy(string filter)
    {
        Filter = filter;
        _base = filter[..^2];
    }

    /// <summary>The filter in effect, for logs and status.</summary>
    public string Filter { get; }

    /// <summary>True for a topic filter that ends in <c>/#</c> and has no other wildcard.</summary>
    public static bool IsValidFilter(string filter) =>
        filter.Length > 2 && filter.EndsWith("/#", StringComparison.Ordinal) && filter[..^2].IndexOfAny(['+', '#', '\0']) < 0
        && !filter.StartsWith('$');

    /// <summary>Null when <paramref name="topic"/> may receive a reply, else why not.</summary>
    public string? Refusal(string topic)
    {
        if (topic.Length == 0) return "the reply topic is empty";
        if (topic.Length > MaxTopicLength) return $"the reply topic is longer than {MaxTopicLength} characters";
        if (topic.IndexOfAny(['+', '#', '\0']) >= 0) return $"the reply topic '{topic}' contains a wildcard";
        bool under = topic.Length > _base.Length + 1 && topic.StartsWith(_base, StringComparison.Ordinal) && topic[_base.Length] == '/';
        return under ? null : $"the reply topic '{topic}' is not under {Filter}";
    }
}
