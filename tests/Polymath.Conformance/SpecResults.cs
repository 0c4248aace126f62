using System.Text;

namespace Polymath.Conformance;

/// <summary>How one command ended.</summary>
public enum SpecOutcome
{
    /// <summary>It did what the script says.</summary>
    Passed,
    /// <summary>It did not (or the runtime threw something it must not).</summary>
    Failed,
    /// <summary>It does not apply to a runtime driven through the SDK (text-format assert_malformed); counted and reported.</summary>
    NotApplicable,
}

/// <summary>A failed (or not applicable) command with its line in the .wast file.</summary>
/// <param name="Line">The line in the .wast file.</param>
/// <param name="Command">The command type (assert_return, module, …).</param>
/// <param name="Message">What happened.</param>
public sealed record SpecNote(int Line, string Command, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"line {Line} {Command}: {Message}";
}

/// <summary>Counts and first failures of one .wast file run against one runtime.</summary>
public sealed class SpecFileResult
{
    private readonly List<SpecNote> _failures = [];
    private readonly List<SpecNote> _notApplicable = [];
    private readonly Dictionary<WastCommandKind, (int Passed, int Failed, int NotApplicable)> _byKind = [];

    /// <summary>Creates an empty result.</summary>
    /// <param name="file">The .wast file name.</param>
    /// <param name="runtimeId">The runtime's id.</param>
    /// <param name="maxFailures">How many failure messages to keep (counts are always complete).</param>
    public SpecFileResult(string file, string runtimeId, int maxFailures = 20)
    {
        File = file;
        RuntimeId = runtimeId;
        MaxFailures = Math.Max(0, maxFailures);
    }

    /// <summary>The .wast file name.</summary>
    public string File { get; }

    /// <summary>The runtime's id.</summary>
    public string RuntimeId { get; }

    /// <summary>How many failure messages are kept.</summary>
    public int MaxFailures { get; }

    /// <summary>Commands that passed.</summary>
    public int Passed { get; private set; }

    /// <summary>Commands that failed.</summary>
    public int Failed { get; private set; }

    /// <summary>Commands that do not apply (text-format module assertions).</summary>
    public int NotApplicable { get; private set; }

    /// <summary>The first <see cref="MaxFailures"/> failures, in script order.</summary>
    public IReadOnlyList<SpecNote> Failures => _failures;

    /// <summary>The first <see cref="MaxFailures"/> not-applicable commands, in script order.</summary>
    public IReadOnlyList<SpecNote> NotApplicableNotes => _notApplicable;

    /// <summary>Counts per command kind.</summary>
    public IReadOnlyDictionary<WastCommandKind, (int Passed, int Failed, int NotApplicable)> ByKind => _byKind;

    /// <summary>Wall-clock time of the run (conversion excluded).</summary>
    public TimeSpan Elapsed { get; set; }

    /// <summary>Set when the file could not be run at all (conversion or JSON failure); counted as one failure.</summary>
    public string? SetupError { get; private set; }

    /// <summary>Records a passed command.</summary>
    public void Pass(WastCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        Passed++;
        Bump(command.Kind, 1, 0, 0);
    }

    /// <summary>Records a failed command.</summary>
    public void Fail(WastCommand command, string message)
    {
        ArgumentNullException.ThrowIfNull(command);
        Failed++;
        Bump(command.Kind, 0, 1, 0);
        if (_failures.Count < MaxFailures) _failures.Add(new SpecNote(command.Line, command.TypeName, message));
    }

    /// <summary>Records a command that does not apply.</summary>
    public void Skip(WastCommand command, string reason)
    {
        ArgumentNullException.ThrowIfNull(command);
        NotApplicable++;
        Bump(command.Kind, 0, 0, 1);
        if (_notApplicable.Count < MaxFailures) _notApplicable.Add(new SpecNote(command.Line, command.TypeName, reason));
    }

    /// <summary>Records that the file could not be run; counts as one failure.</summary>
    public void FailSetup(string message)
    {
        SetupError = message;
        Failed++;
        if (_failures.Count < MaxFailures || _failures.Count == 0) _failures.Add(new SpecNote(0, "setup", message));
    }

    private void Bump(WastCommandKind kind, int passed, int failed, int notApplicable)
    {
        _byKind.TryGetValue(kind, out var counts);
        _byKind[kind] = (counts.Passed + passed, counts.Failed + failed, counts.NotApplicable + notApplicable);
    }

    /// <summary>One line: <c>i32.wast: 460 passed, 0 failed, 0 not applicable (12 ms)</c>.</summary>
    public string Summary =>
        $"{File}: {Passed} passed, {Failed} failed, {NotApplicable} not applicable ({Elapsed.TotalMilliseconds:0} ms)";

    /// <summary>The summary, then one line per kept failure (and, when <paramref name="includeNotApplicable"/>, per not-applicable note).</summary>
    public string Describe(bool includeNotApplicable = false)
    {
        var text = new StringBuilder(Summary);
        foreach (var failure in _failures) text.Append('\n').Append("  FAIL ").Append(failure);
        if (Failed > _failures.Count) text.Append('\n').Append($"  … and {Failed - _failures.Count} more failures");
        if (includeNotApplicable)
            foreach (var note in _notApplicable) text.Append('\n').Append("  n/a  ").Append(note);
        return text.ToString();
    }
}
