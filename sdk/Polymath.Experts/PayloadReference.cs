using System.Text.Json;
using System.Text.RegularExpressions;

namespace Polymath.Experts;

/// <summary>A payload file inside a package: its path relative to the package root and its expected sha256.</summary>
/// <param name="Path">Path relative to the package root, with '/' separators.</param>
/// <param name="Sha256">Lower-case hex sha256 of the file (64 characters).</param>
public sealed record PayloadReference(string Path, string Sha256);
