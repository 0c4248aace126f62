using System.Text;
using System.Text.Json;
using Polymath.Host.Experts;
using Polymath.Tests;

namespace Polymath.Host.Tests;

/// <summary>
/// The registry's one-pass args check (<see cref="JsonSyntax"/>) against <see cref="Utf8JsonReader"/>, which it stands in
/// for: it never accepts what the reader rejects, and on ASCII text of modest depth (what it judges) it agrees with the
/// reader exactly, so the args a call accepts and the errors it gives are the reader's.
/// </summary>
public class JsonSyntaxTests
{
    private static bool ReaderAccepts(byte[] utf8)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            while (reader.Read()) { }
            return true;
        }
        catch (JsonException) { return false; }
    }

    [Theory]
    [InlineData("""{"a":48,"b":18}""")]
    [InlineData("""  {"a" : [1, -0, 0.5, 1e5, 1E+5, 2.5e-3, -12.75E-0] ,"b":{}}  """)]
    [InlineData("""{"s":"\"\\\/\b\f\n\r\t\u00e9\uD83D\uDE00"}""")]
    [InlineData("[]")]
    [InlineData("[[],{},[{}]]")]
    [InlineData("true")]
    [InlineData("null")]
    [InlineData("-1")]
    [InlineData("\"x\"")]
    [InlineData("\t\r\n{\"k\":false}\n")]
    public void Accepts_json_the_reader_accepts(string text)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(text);
        Assert.True(ReaderAccepts(utf8));
        Assert.True(JsonSyntax.IsPlainlyValid(utf8));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{")]
    [InlineData("}")]
    [InlineData("{\"a\"}")]
    [InlineData("{\"a\":}")]
    [InlineData("{\"a\":1,}")]
    [InlineData("[1,]")]
    [InlineData("[1 2]")]
    [InlineData("{\"a\" 1}")]
    [InlineData("{'a':1}")]
    [InlineData("{a:1}")]
    [InlineData("01")]
    [InlineData("1.")]
    [InlineData(".5")]
    [InlineData("-")]
    [InlineData("1e")]
    [InlineData("1e+")]
    [InlineData("+1")]
    [InlineData("NaN")]
    [InlineData("tru")]
    [InlineData("truex")]
    [InlineData("nul")]
    [InlineData("\"\\x\"")]
    [InlineData("\"\\u12G4\"")]
    [InlineData("\"\\u12\"")]
    [InlineData("\"abc")]
    [InlineData("\"a\u0001b\"")]
    [InlineData("{} {}")]
    [InlineData("1 2")]
    [InlineData("/*c*/1")]
    [InlineData("[1]//c")]
    [InlineData("[1]]")]
    [InlineData("{\"a\":1]")]
    [InlineData("[1}")]
    public void Rejects_json_the_reader_rejects(string text)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(text);
        Assert.False(ReaderAccepts(utf8));
        Assert.False(JsonSyntax.IsPlainlyValid(utf8));
    }

    [Fact]
    public void Leaves_non_ascii_strings_deep_nesting_and_a_bom_to_the_reader()
    {
        foreach (byte[] utf8 in new[]
                 {
                     Encoding.UTF8.GetBytes("{\"name\":\"café\"}"),
                     Encoding.UTF8.GetBytes(new string('[', JsonSyntax.MaxDepth + 1) + new string(']', JsonSyntax.MaxDepth + 1)),
                     [0xEF, 0xBB, 0xBF, (byte)'1'],
                 })
            Assert.False(JsonSyntax.IsPlainlyValid(utf8));
        // ... and the registry's check still accepts what the reader accepts there.
        Assert.True(ExpertInvoker.IsValidJson(Encoding.UTF8.GetBytes("{\"name\":\"café\"}"), out _));
        Assert.True(ExpertInvoker.IsValidJson(Encoding.UTF8.GetBytes(new string('[', 40) + new string(']', 40)), out _));
    }

    [Fact]
    public void Accepts_the_args_of_every_catalogue_example()
    {
        int judged = 0;
        foreach (string line in File.ReadLines(Path.Combine(Repository.ExpertsDirectory, "conformance", "examples.jsonl")))
        {
            using var doc = JsonDocument.Parse(line);
            byte[] args = Encoding.UTF8.GetBytes(doc.RootElement.GetProperty("args").GetRawText());
            Assert.True(ReaderAccepts(args));
            if (args.All(b => b < 0x80))
            {
                Assert.True(JsonSyntax.IsPlainlyValid(args), Encoding.UTF8.GetString(args));
                judged++;
            }
        }
        Assert.True(judged > 100, $"only {judged} ASCII examples");
    }

    [Fact]
    public void Agrees_with_the_reader_on_random_and_mutated_ascii_text()
    {
        var random = new Random(20261207);
        string[] pieces = ["{", "}", "[", "]", ",", ":", " ", "\t", "\n", "\"", "\"k\"", "\"\\n\"", "\"\\u00zz\"", "\"\\u0041\"",
            "\\", "0", "1", "-", ".", "e", "E", "+", "12", "3.5", "true", "false", "null", "tru", "x", "\u0001", "/", "*"];
        string[] seeds = ["""{"a":48,"b":18}""", """{"list":[1,2,{"x":-0.5e+3}],"s":"a\"b","t":true,"n":null}""", "[[[]],{}]"];
        int agreedValid = 0;
        for (int n = 0; n < 200_000; n++)
        {
            var sb = new StringBuilder();
            if (n % 2 == 0)
            {
                int count = random.Next(1, 12);
                for (int k = 0; k < count; k++) sb.Append(pieces[random.Next(pieces.Length)]);
            }
            else
            {
                sb.Append(seeds[random.Next(seeds.Length)]);
                int edits = random.Next(1, 4);
                for (int k = 0; k < edits && sb.Length > 0; k++)
                {
                    int at = random.Next(sb.Length);
                    switch (random.Next(3))
                    {
                        case 0: sb.Remove(at, 1); break;
                        case 1: sb.Insert(at, pieces[random.Next(pieces.Length)]); break;
                        default: sb[at] = pieces[random.Next(pieces.Length)][0]; break;
                    }
                }
            }
            byte[] utf8 = Encoding.ASCII.GetBytes(sb.ToString());
            bool reader = ReaderAccepts(utf8), fast = JsonSyntax.IsPlainlyValid(utf8);
            if (fast != reader) Assert.Fail($"JsonSyntax says {fast}, Utf8JsonReader says {reader}: {sb}");
            if (fast) agreedValid++;
        }
        Assert.True(agreedValid > 1000, $"only {agreedValid} valid texts generated");
    }
}
