using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Polymath.Packages.Tests;

/// <summary>A span or a metric point as an OTLP/HTTP request carried it.</summary>
internal sealed record OtlpItem(string Scope, string Name, IReadOnlyDictionary<string, string> Attributes, IReadOnlyDictionary<string, string> Resource, int StatusCode = 0);

/// <summary>
/// A loopback OTLP/HTTP (protobuf) collector: accepts POST /v1/traces and /v1/metrics on 127.0.0.1 and decodes the
/// spans and metric data points (their names, attributes and resource) with a protobuf wire-format reader that knows
/// only the fields of opentelemetry-proto the tests check.
/// </summary>
internal sealed class OtlpReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<OtlpItem> _spans = [];
    private readonly List<OtlpItem> _points = [];
    private readonly Task _loop;

    public OtlpReceiver()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Url = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Url + "/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public string Url { get; }

    public IReadOnlyList<OtlpItem> Spans { get { lock (_spans) return [.. _spans]; } }
    public IReadOnlyList<OtlpItem> Points { get { lock (_points) return [.. _points]; } }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            string path = context.Request.Url!.AbsolutePath;
            if (path == "/v1/traces") lock (_spans) _spans.AddRange(DecodeTraces(body.ToArray()));
            else if (path == "/v1/metrics") lock (_points) _points.AddRange(DecodeMetrics(body.ToArray()));
            context.Response.StatusCode = path is "/v1/traces" or "/v1/metrics" ? 200 : 404;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }

    /// <summary>Waits until <paramref name="ready"/> holds (or fails after <paramref name="seconds"/>).</summary>
    public async Task WaitAsync(Func<OtlpReceiver, bool> ready, string what, int seconds = 60)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!ready(this))
        {
            Assert.True(DateTime.UtcNow < until, $"{what} did not arrive within {seconds} s; spans: {Spans.Count}, points: {string.Join(", ", Points.Select(p => p.Name))}");
            await Task.Delay(100);
        }
    }

    // ExportTraceServiceRequest: 1 resource_spans { 1 resource { 1 attributes }, 2 scope_spans { 1 scope { 1 name }, 2 spans { 5 name, 9 attributes, 15 status { 3 code } } } }
    private static IEnumerable<OtlpItem> DecodeTraces(byte[] request)
    {
        foreach (var rs in Fields(request, 1))
        {
            var resource = Fields(rs, 1).Select(r => Attributes(r, 1)).FirstOrDefault() ?? new Dictionary<string, string>();
            foreach (var ss in Fields(rs, 2))
            {
                string scope = ScopeName(ss);
                foreach (var span in Fields(ss, 2))
                {
                    int status = Fields(span, 15).Select(s => (int)Varints(s, 3).FirstOrDefault()).FirstOrDefault();
                    yield return new OtlpItem(scope, Text(span, 5), Attributes(span, 9), resource, status);
                }
            }
        }
    }

    // ExportMetricsServiceRequest: 1 resource_metrics { 1 resource, 2 scope_metrics { 1 scope, 2 metrics { 1 name,
    // 7 sum { 1 data_points { 7 attributes } }, 9 histogram { 1 data_points { 9 attributes } } } } }
    private static IEnumerable<OtlpItem> DecodeMetrics(byte[] request)
    {
        foreach (var rm in Fields(request, 1))
        {
            var resource = Fields(rm, 1).Select(r => Attributes(r, 1)).FirstOrDefault() ?? new Dictionary<string, string>();
            foreach (var sm in Fields(rm, 2))
            {
                string scope = ScopeName(sm);
                foreach (var metric in Fields(sm, 2))
                {
                    string name = Text(metric, 1);
                    foreach (var sum in Fields(metric, 7))
                        foreach (var point in Fields(sum, 1)) yield return new OtlpItem(scope, name, Attributes(point, 7), resource);
                    foreach (var histogram in Fields(metric, 9))
                        foreach (var point in Fields(histogram, 1)) yield return new OtlpItem(scope, name, Attributes(point, 9), resource);
                }
            }
        }
    }

    private static string ScopeName(byte[] scoped) => Fields(scoped, 1).Select(s => Text(s, 1)).FirstOrDefault() ?? "";

    // KeyValue { 1 key, 2 value AnyValue { 1 string_value, 2 bool_value, 3 int_value, 4 double_value } }
    private static Dictionary<string, string> Attributes(byte[] message, int field)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var kv in Fields(message, field))
        {
            string key = Text(kv, 1);
            foreach (var any in Fields(kv, 2))
            {
                if (Fields(any, 1).FirstOrDefault() is { } s) result[key] = Encoding.UTF8.GetString(s);
                else if (Varints(any, 3).Cast<ulong?>().FirstOrDefault() is { } i) result[key] = ((long)i).ToString(System.Globalization.CultureInfo.InvariantCulture);
                else if (Varints(any, 2).Cast<ulong?>().FirstOrDefault() is { } b) result[key] = b != 0 ? "true" : "false";
            }
        }
        return result;
    }

    private static string Text(byte[] message, int field) => Fields(message, field).Select(b => Encoding.UTF8.GetString(b)).FirstOrDefault() ?? "";

    /// <summary>The length-delimited values of <paramref name="field"/>.</summary>
    private static List<byte[]> Fields(byte[] message, int field) =>
        Walk(message).Where(f => f.Number == field && f.Bytes is not null).Select(f => f.Bytes!).ToList();

    /// <summary>The varint values of <paramref name="field"/>.</summary>
    private static List<ulong> Varints(byte[] message, int field) =>
        Walk(message).Where(f => f.Number == field && f.Bytes is null && f.WireType == 0).Select(f => f.Value).ToList();

    private static List<(int Number, int WireType, ulong Value, byte[]? Bytes)> Walk(byte[] m)
    {
        var fields = new List<(int, int, ulong, byte[]?)>();
        int i = 0;
        while (i < m.Length)
        {
            ulong tag = Varint(m, ref i);
            int number = (int)(tag >> 3), wire = (int)(tag & 7);
            switch (wire)
            {
                case 0: fields.Add((number, 0, Varint(m, ref i), null)); break;
                case 1: fields.Add((number, 1, BitConverter.ToUInt64(m, i), null)); i += 8; break;
                case 5: fields.Add((number, 5, BitConverter.ToUInt32(m, i), null)); i += 4; break;
                case 2:
                    int length = (int)Varint(m, ref i);
                    fields.Add((number, 2, 0, m[i..(i + length)]));
                    i += length;
                    break;
                default: throw new InvalidDataException($"protobuf wire type {wire} at byte {i}");
            }
        }
        return fields;
    }

    private static ulong Varint(byte[] m, ref int i)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = m[i++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); }
        catch (AggregateException) { }
    }
}
