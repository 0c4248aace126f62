using System.IO.Compression;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;

namespace Polymath.Packages.Tests;

/// <summary>
/// What artifacts/packages holds: every library package has its README, license expression, description, tags, XML docs
/// and a symbol package; the sdk/ packages' assemblies expose exactly the public types their PublicAPI files declare.
/// </summary>
public sealed class PackageContentsTests
{
    public static TheoryData<string> Libraries() =>
    [
        "Polymath.Sdk", "Polymath.Wasm", "Polymath.Experts", "Polymath.Client", "Polymath.Host", "Polymath.Conformance",
        "Polymath.Runtime.Interpreter", "Polymath.Runtime.Compiler", "Polymath.Runtime.Wasmtime", "Polymath.Runtime.Native",
    ];

    public static TheoryData<string> SdkLibraries() => ["Polymath.Sdk", "Polymath.Wasm", "Polymath.Experts", "Polymath.Client"];

    [Theory]
    [MemberData(nameof(Libraries))]
    public void LibraryPackageCarriesMetadataDocsAndSymbols(string id)
    {
        using var package = Open(id);
        var nuspec = XDocument.Load(package.Entries.Single(e => e.FullName == $"{id}.nuspec").Open());
        var metadata = nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string? Get(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
        Assert.Equal(Repo.Version, Get("version"));
        Assert.Equal("MIT", Get("license"));
        Assert.Equal("README.md", Get("readme"));
        Assert.False(string.IsNullOrWhiteSpace(Get("description")));
        Assert.Contains("webassembly", Get("tags") ?? "", StringComparison.Ordinal);
        Assert.NotNull(package.GetEntry("README.md"));
        Assert.NotNull(package.GetEntry($"lib/net10.0/{id}.dll"));
        Assert.NotNull(package.GetEntry($"lib/net10.0/{id}.xml"));
        Assert.True(File.Exists(Path.Combine(Repo.Feed, $"{id}.{Repo.Version}.snupkg")), $"no symbol package for {id}");
    }

    [Theory]
    [MemberData(nameof(SdkLibraries))]
    public void SdkPackageExposesExactlyTheDeclaredPublicTypes(string id)
    {
        using var package = Open(id);
        using var dll = new MemoryStream();
        using (var entry = package.GetEntry($"lib/net10.0/{id}.dll")!.Open()) entry.CopyTo(dll);
        dll.Position = 0;
        using var pe = new PEReader(dll);
        var reader = pe.GetMetadataReader();
        var packed = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var handle in reader.TypeDefinitions)
            if (PublicName(reader, reader.GetTypeDefinition(handle)) is { } name) packed.Add(name);

        var declared = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in new[] { "PublicAPI.Shipped.txt", "PublicAPI.Unshipped.txt" })
            foreach (var line in File.ReadAllLines(Path.Combine(Repo.Root, "sdk", id, file)))
            {
                string l = line.Trim();
                foreach (var modifier in new[] { "static ", "abstract ", "sealed ", "virtual ", "override ", "const ", "readonly " })
                    while (l.StartsWith(modifier, StringComparison.Ordinal)) l = l[modifier.Length..];
                // A type line is one name (a generic one may hold "<TState, TResult>"); members have a space or a '('.
                l = StripGenerics(l);
                if (l.Length == 0 || l.StartsWith('#') || l.Contains(' ', StringComparison.Ordinal) || l.Contains('(', StringComparison.Ordinal)) continue;
                declared.Add(l);
            }
        Assert.Equal(declared, packed);
    }

    private static string? PublicName(MetadataReader reader, TypeDefinition type)
    {
        var visibility = type.Attributes & TypeAttributes.VisibilityMask;
        string name = StripGenerics(reader.GetString(type.Name));
        if (visibility == TypeAttributes.Public) return $"{reader.GetString(type.Namespace)}.{name}";
        if (visibility is TypeAttributes.NestedPublic or TypeAttributes.NestedFamily or TypeAttributes.NestedFamORAssem)
            return PublicName(reader, reader.GetTypeDefinition(type.GetDeclaringType())) is { } outer ? $"{outer}.{name}" : null;
        return null;
    }

    /// <summary>Foo`1 (metadata) and Foo&lt;T&gt; (API files, also inside a nested name) both become Foo.</summary>
    private static string StripGenerics(string name)
    {
        string previous;
        do { previous = name; name = System.Text.RegularExpressions.Regex.Replace(name, "<[^<>]*>", ""); } while (name != previous);
        return System.Text.RegularExpressions.Regex.Replace(name, "`[0-9]+", "");
    }

    private static ZipArchive Open(string id)
    {
        string path = Path.Combine(Repo.Feed, $"{id}.{Repo.Version}.nupkg");
        Assert.True(File.Exists(path), $"{path} is missing: run `dotnet pack Polymath.slnx -c Release -o artifacts/packages` first (.ci/run does)");
        return ZipFile.OpenRead(path);
    }
}
