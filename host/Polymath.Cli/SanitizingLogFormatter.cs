using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Display;

namespace Polymath.Cli;

/// <summary>
/// Renders a Serilog event with an output template, then escapes the line with <see cref="HumanText.Sanitize"/>; an
/// exception follows on its own lines, each line escaped the same way (so only the stack trace's own line breaks remain).
/// </summary>
internal sealed class SanitizingLogFormatter(string outputTemplate) : ITextFormatter
{
    private readonly MessageTemplateTextFormatter _inner = new(outputTemplate, System.Globalization.CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public void Format(LogEvent logEvent, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        ArgumentNullException.ThrowIfNull(output);
        using var line = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        _inner.Format(logEvent, line);
        output.WriteLine(HumanText.Sanitize(line.ToString()));
        if (logEvent.Exception is { } e)
            foreach (var l in e.ToString().Split('\n'))
                output.WriteLine(HumanText.Sanitize(l.TrimEnd('\r')));
    }
}
