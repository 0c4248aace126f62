using Microsoft.Extensions.Configuration;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Polymath.Host.Telemetry;

namespace Polymath.Cli;

/// <summary>
/// OTLP export of the host's traces and metrics (<see cref="PolymathTelemetry"/>) for <c>serve</c> and <c>mcp</c>:
/// on when <c>--otlp URL</c> or the <c>OpenTelemetry:Endpoint</c> setting names a collector (docs/service.md,
/// "OpenTelemetry"). <c>OpenTelemetry:Protocol</c> is <c>http/protobuf</c> (default: the URL is the collector's base,
/// spans go to <c>/v1/traces</c> and points to <c>/v1/metrics</c>) or <c>grpc</c> (the URL as is);
/// <c>OpenTelemetry:MetricIntervalMs</c> is the metric export period (default 10000); <c>OpenTelemetry:ServiceName</c>
/// the resource's <c>service.name</c> (default <c>polymath</c>). A collector that is down costs dropped batches, never
/// a call: the exporters run on their own threads.
/// </summary>
internal sealed class OtlpExport : IDisposable
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "OpenTelemetry";

    private readonly TracerProvider _tracer;
    private readonly MeterProvider _meter;

    private OtlpExport(TracerProvider tracer, MeterProvider meter) { _tracer = tracer; _meter = meter; }

    /// <summary>
    /// Starts exporting when <paramref name="url"/> (the <c>--otlp</c> option, which wins) or
    /// <c>OpenTelemetry:Endpoint</c> is set; null otherwise.
    /// </summary>
    /// <exception cref="CliUsageException">A setting is invalid (the message names it).</exception>
    public static OtlpExport? Start(IConfiguration configuration, string? url)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SectionName);
        string key = url is null ? $"{SectionName}:Endpoint" : "--otlp";
        url ??= section["Endpoint"];
        if (string.IsNullOrWhiteSpace(url)) return null;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
            throw new CliUsageException($"{key}: '{url}' is not an http:// or https:// URL of an OTLP collector");
        var protocol = section["Protocol"] switch
        {
            null or "" or "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
            "grpc" => OtlpExportProtocol.Grpc,
            var p => throw new CliUsageException($"{SectionName}:Protocol: '{p}' is not http/protobuf or grpc"),
        };
        int interval = 10_000;
        if (section["MetricIntervalMs"] is { } text && (!int.TryParse(text, out interval) || interval < 100))
            throw new CliUsageException($"{SectionName}:MetricIntervalMs: '{text}' is not a whole number of milliseconds of at least 100");
        string service = section["ServiceName"] is { Length: > 0 } name ? name : "polymath";

        Uri Signal(string path) => protocol == OtlpExportProtocol.Grpc ? endpoint : new Uri(endpoint, endpoint.AbsolutePath.TrimEnd('/') + path);
        var resource = ResourceBuilder.CreateEmpty().AddService(service, serviceVersion: typeof(OtlpExport).Assembly.GetName().Version?.ToString());
        var tracer = OpenTelemetry.Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource(PolymathTelemetry.SourceName)
            .AddOtlpExporter(o => { o.Endpoint = Signal("/v1/traces"); o.Protocol = protocol; o.ExportProcessorType = ExportProcessorType.Batch; })
            .Build();
        var meter = OpenTelemetry.Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter(PolymathTelemetry.SourceName)
            .AddOtlpExporter((o, reader) =>
            {
                o.Endpoint = Signal("/v1/metrics");
                o.Protocol = protocol;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = interval;
            })
            .Build();
        return new OtlpExport(tracer, meter);
    }

    /// <summary>Flushes what is pending (bounded by the exporters' timeouts) and stops.</summary>
    public void Dispose()
    {
        _tracer.Dispose();
        _meter.Dispose();
    }
}
