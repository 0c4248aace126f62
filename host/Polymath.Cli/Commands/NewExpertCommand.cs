using System.Text.RegularExpressions;

namespace Polymath.Cli.Commands;

/// <summary>
/// <c>polymath new expert NAME [--dir DIR] [--kit PATH]</c>: scaffolds a C expert package folder built with the
/// Polymath C expert kit (sdk/expert-kit): <c>expert.json</c>, <c>NAME.c</c> with one op, <c>build.sh</c> (the
/// pinned flags of experts/build.sh), <c>README.md</c>, <c>tests/examples.jsonl</c> (one example runnable with
/// <c>polymath call</c>) and a vendored copy of <c>larql_expert.h</c> so the package builds on its own.
/// This file has no CLI-framework dependency: <see cref="Run"/> takes the parsed arguments.
/// </summary>
public static partial class NewExpertCommand
{
    /// <summary>The kit header's file name.</summary>
    public const string KitHeader = "larql_expert.h";

    [GeneratedRegex("^[a-z][a-z0-9_]{0,47}$")]
    private static partial Regex NamePattern();

    /// <summary>
    /// Parses <c>NAME [--dir DIR] [--kit PATH]</c> (the words after <c>new expert</c>), scaffolds, and returns the exit
    /// code (0 ok, 2 usage error, 1 failure); messages go to <paramref name="stdout"/>/<paramref name="stderr"/>.
    /// </summary>
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        string? name = null, dir = null, kit = null;
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (a is "--dir" or "--kit")
            {
                if (i + 1 >= args.Count) { stderr.WriteLine($"new expert: {a} needs a value"); return 2; }
                if (a == "--dir") dir = args[++i]; else kit = args[++i];
            }
            else if (a.StartsWith('-')) { stderr.WriteLine($"new expert: unknown option '{a}'"); return 2; }
            else if (name is null) name = a;
            else { stderr.WriteLine($"new expert: unexpected argument '{a}'"); return 2; }
        }
        if (name is null) { stderr.WriteLine("usage: polymath new expert NAME [--dir DIR] [--kit PATH_TO_larql_expert.h]"); return 2; }
        try
        {
            string target = Scaffold(name, dir ?? Path.Combine(Directory.GetCurrentDirectory(), name), kit);
            stdout.WriteLine($"created expert '{name}' in {target}");
            stdout.WriteLine($"  build: {Path.Combine(target, "build.sh")}   then: polymath call {name}_scale '{{\"x\":3,\"factor\":2.5}}' --dir {Path.GetDirectoryName(target)}");
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or FileNotFoundException)
        {
            stderr.WriteLine("new expert: " + e.Message);
            return e is ArgumentException ? 2 : 1;
        }
    }

    /// <summary>
    /// Writes the package into <paramref name="directory"/> (created; must be empty or absent) and returns its full path.
    /// <paramref name="kitHeader"/> is the kit header to vendor; null finds sdk/expert-kit/larql_expert.h above the
    /// current directory or the tool's own folder.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a valid expert id (lower-case letter, then a-z 0-9 _; at most 48).</exception>
    /// <exception cref="IOException">The directory is not empty.</exception>
    /// <exception cref="FileNotFoundException">The kit header cannot be found.</exception>
    public static string Scaffold(string name, string directory, string? kitHeader = null)
    {
        if (!NamePattern().IsMatch(name))
            throw new ArgumentException($"'{name}' is not a valid expert id: use a lower-case letter, then lower-case letters, digits or '_' (at most 48)", nameof(name));
        string target = Path.GetFullPath(directory);
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
            throw new IOException($"{target} is not empty; choose a new directory with --dir");
        string header = kitHeader ?? FindKit()
            ?? throw new FileNotFoundException($"cannot find sdk/expert-kit/{KitHeader}; pass --kit PATH");
        if (!File.Exists(header)) throw new FileNotFoundException($"kit header not found: {header}");

        Directory.CreateDirectory(Path.Combine(target, "kit"));
        Directory.CreateDirectory(Path.Combine(target, "tests"));
        File.Copy(header, Path.Combine(target, "kit", KitHeader));
        Write(target, "expert.json", Manifest(name));
        Write(target, name + ".c", Source(name));
        Write(target, "build.sh", BuildScript(name));
        Write(target, "README.md", Readme(name));
        Write(target, Path.Combine("tests", "examples.jsonl"), Examples(name));
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(Path.Combine(target, "build.sh"),
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead |
                UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return target;
    }

    private static void Write(string dir, string file, string text) =>
        File.WriteAllText(Path.Combine(dir, file), text.ReplaceLineEndings("\n"));

    private static string? FindKit()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                string p = Path.Combine(d.FullName, "sdk", "expert-kit", KitHeader);
                if (File.Exists(p)) return p;
            }
        return null;
    }

    private static string Manifest(string name) => """
        {
          "schemaVersion": 1,
          "id": "__NAME__",
          "version": "0.1.0",
          "tier": 1,
          "description": "__NAME__: a Polymath C expert (scaffolded by polymath new expert)",
          "payloads": {
            "wasm": { "path": "__NAME__.wasm", "sha256": "" }
          },
          "requires": ["wasm.core"]
        }

        """.Replace("__NAME__", name, StringComparison.Ordinal);

    private static string Source(string name) => """
        /* __NAME__ — a Polymath expert written with the C expert kit (kit/larql_expert.h). See README.md. */
        #include "larql_expert.h"

        /* __NAME___scale {"x": num, "factor": num} -> x * factor as a float. Missing or non-numeric args: declined. */
        static jv *op_scale(lx_ctx *cx, const jv *args) {
            double x, factor;
            if (!lx_arg_num(args, "x", &x) || !lx_arg_num(args, "factor", &factor)) return NULL; /* NULL = declined */
            return jv_float(cx, x * factor);
        }

        static const lx_op OPS[] = {
            {"__NAME___scale", op_scale, {"x", "factor"}}, /* op name, function, advertised arg keys */
        };

        LARQL_EXPERT("__NAME__", 1, "__NAME__: a Polymath C expert (scaffolded by polymath new expert)", "0.1.0", OPS)

        """.Replace("__NAME__", name, StringComparison.Ordinal);

    private static string BuildScript(string name) => """
        #!/usr/bin/env bash
        # Builds __NAME__.wasm with the pinned flags of Polymath's experts/build.sh and writes its sha256 into expert.json.
        #   ./build.sh            WebAssembly (clang 14 + wasi-libc + wasm-opt 108: apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32 binaryen)
        #   ./build.sh --native   native shared library lib__NAME__.so with gcc (for a native kernel runtime)
        set -euo pipefail
        HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
        cd "$HERE"
        need() { command -v "$1" >/dev/null 2>&1 || { echo "build.sh: required tool '$1' not found ($2)" >&2; exit 2; }; }
        if [ "${1:-}" = "--native" ]; then
          need gcc "apt-get install gcc"
          gcc -O2 -std=c11 -shared -fPIC -fvisibility=hidden -Wall -Wextra -Werror -ffile-prefix-map="$HERE"=. -I kit \
              -o lib__NAME__.so __NAME__.c -lm
          echo "built lib__NAME__.so"; exit 0
        fi
        CLANG="${CLANG:-clang}"
        need "$CLANG" "apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32"
        need wasm-ld "apt-get install lld"
        need wasm-opt "apt-get install binaryen"
        [ -f /usr/lib/wasm32-wasi/libc.a ] || [ -n "${WASI_SYSROOT:-}" ] || { echo "build.sh: wasi-libc not found (apt-get install wasi-libc)" >&2; exit 2; }
        extra=(); [ -n "${WASI_SYSROOT:-}" ] && extra+=(--sysroot="$WASI_SYSROOT")
        # clang 14 runs any wasm-opt it finds (beside itself or on PATH) after linking, so the bytes would depend on what
        # is installed: run the real clang binary with wasm-opt hidden, then wasm-opt as its own step.
        tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
        mkdir "$tmp/bin"; ln -s "$(readlink -f "$(command -v wasm-ld)")" "$tmp/bin/wasm-ld-14"; ln -s "$(readlink -f "$(command -v wasm-ld)")" "$tmp/bin/wasm-ld"
        clang_path="$tmp/bin:$(printf '%s' "$PATH" | tr ':' '\n' | while IFS= read -r d; do [ -n "$d" ] && [ ! -e "$d/wasm-opt" ] && printf '%s\n' "$d"; done | paste -sd: -)"
        PATH="$clang_path" "$(readlink -f "$(command -v "$CLANG")")" --target=wasm32-wasi -mcpu=mvp -O2 -std=c11 -mexec-model=reactor -Wall -Wextra -Werror \
          -fno-ident -ffile-prefix-map="$HERE"=. -I kit -Wl,--strip-debug -Wl,--no-export-dynamic -Wl,--stack-first \
          -Wl,-z,stack-size=1048576 "${extra[@]}" -o __NAME__.wasm __NAME__.c
        wasm-opt __NAME__.wasm -O2 -o __NAME__.wasm
        sum="$(sha256sum __NAME__.wasm | cut -d' ' -f1)"
        sed -i -E "s/(\"sha256\": *\")[0-9a-f]*\"/\1$sum\"/" expert.json
        echo "built __NAME__.wasm sha256 $sum"

        """.Replace("__NAME__", name, StringComparison.Ordinal);

    private static string Examples(string name) => """
        {"expert":"__NAME__","op":"__NAME___scale","args":{"x":3,"factor":2.5},"expect":7.5}
        {"expert":"__NAME__","op":"__NAME___scale","args":{"x":4,"factor":2},"expect":8.0}
        {"expert":"__NAME__","op":"__NAME___scale","args":{"x":"three","factor":2},"expect":"declined"}

        """.Replace("__NAME__", name, StringComparison.Ordinal);

    private static string Readme(string name) => """
        # __NAME__

        A Polymath expert package written in C with the Polymath C expert kit (`kit/larql_expert.h`, copied from
        `sdk/expert-kit`; see that folder's README for the JSON values, argument coercions and the ABI's C signatures).

        ## Ops
        | op | args | result |
        |---|---|---|
        | `__NAME___scale` | `x` (num), `factor` (num) | `x * factor` as a float; declined when an arg is missing or not a number |

        ## Build
        `./build.sh` compiles `__NAME__.wasm` with the same pinned flags as Polymath's `experts/build.sh` (clang 14,
        wasm32-wasi, `-mcpu=mvp`, reactor, 1 MiB stack first) and writes its sha256 into `expert.json`.
        `./build.sh --native` builds `lib__NAME__.so` with gcc for a native kernel runtime.

        ## Run
        Drop this folder into the host's experts directory (or point `--dir` at its parent), then:
        ```
        polymath experts --dir PARENT
        polymath call __NAME___scale '{"x":3,"factor":2.5}' --dir PARENT --json
        ```

        ## Test
        `tests/examples.jsonl` holds example calls, one JSON object per line: `expert`, `op`, `args`, `expect` (the exact
        JSON value, where `7.5` and `8.0` are floats and `8` would be an integer, or `"declined"`), optional `tolerance`.
        Each line is one `polymath call` whose `value` must equal `expect` exactly.

        ## Package
        `polymath pack .` validates the folder, fills in hashes and writes `__NAME__.expert`.

        """.Replace("__NAME__", name, StringComparison.Ordinal);
}
