using System.Buffers.Binary;
using System.Text;

namespace Polymath.Wasm;

/// <summary>
/// Decodes a WebAssembly 2.0 binary module into a <see cref="Module"/>. Decoding only checks the binary
/// format (errors are <see cref="WasmErrorKind.Malformed"/>); call <see cref="ModuleValidator.Validate"/>
/// (or use <see cref="ReadAndValidate"/>) before trusting the module.
/// </summary>
/// <remarks>
/// Hostile input: every declared count is checked against the bytes left before anything is allocated,
/// nothing recurses on input nesting, and any exception other than <see cref="WasmModuleException"/> is a
/// bug that is still reported as a malformed module. Function bodies are not decoded into instructions
/// here, only delimited (<see cref="FunctionBody.Code"/>); the validator decodes them. Each read adds one to the
/// <c>polymath.wasm.modules.read</c> counter of the <c>Polymath.Wasm</c> meter.
/// </remarks>
public static class ModuleReader
{
    /// <summary>The implementation limit on declared locals per function (the spec only bounds them by 2^32-1).</summary>
    public const int MaxLocals = 50_000;

    /// <summary>The implementation limit on imports (the JS API's limit).</summary>
    public const int MaxImports = 100_000;

    /// <summary>The implementation limit on functions, imported and defined (the JS API's limit).</summary>
    public const int MaxFunctions = 1_000_000;

    /// <summary>The implementation limit on globals, imported and defined (the JS API's limit).</summary>
    public const int MaxGlobals = 1_000_000;

    /// <summary>The implementation limit on tables, imported and defined (the JS API's limit).</summary>
    public const int MaxTables = 100_000;

    /// <summary>The implementation limit on element segments (tighter than the JS API's 10,000,000: each is an array per instance).</summary>
    public const int MaxElementSegments = 100_000;

    /// <summary>The implementation limit on data segments (the JS API's limit).</summary>
    public const int MaxDataSegments = 100_000;

    /// <summary>Decodes <paramref name="wasm"/> (a complete binary module).</summary>
    /// <exception cref="WasmModuleException">The binary is malformed.</exception>
    public static Module Read(ReadOnlyMemory<byte> wasm)
    {
        WasmMetrics.ModulesRead.Add(1);
        try
        {
            return new State(wasm).ReadModule();
        }
        catch (WasmModuleException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw new WasmModuleException(WasmErrorKind.Malformed, $"internal decoder error ({e.GetType().Name}: {e.Message})");
        }
    }

    /// <summary>Decodes and validates <paramref name="wasm"/>: the usual way to load a module.</summary>
    /// <exception cref="WasmModuleException">The binary is malformed or the module is invalid.</exception>
    public static Module ReadAndValidate(ReadOnlyMemory<byte> wasm)
    {
        var module = Read(wasm);
        ModuleValidator.Validate(module);
        return module;
    }


    internal static ValueType ReadValueType(ref WasmReader r)
    {
        int at = r.Offset;
        byte b = r.ReadByte();
        if (!InstructionReader.IsValueTypeByte(b)) throw new WasmModuleException(WasmErrorKind.Malformed, "malformed value type", at);
        return (ValueType)b;
    }

    internal static ValueType ReadReferenceType(ref WasmReader r)
    {
        int at = r.Offset;
        byte b = r.ReadByte();
        if (b is not ((byte)ValueType.FuncRef or (byte)ValueType.ExternRef)) throw new WasmModuleException(WasmErrorKind.Malformed, "malformed reference type", at);
        return (ValueType)b;
    }

    private sealed class State
    {
        private readonly ReadOnlyMemory<byte> _wasm;
        private WasmFeatures _features;
        private WasmModuleException? _deferred;
        private readonly int[] _sectionOffsets = new int[13];

        private FuncType[] _types = [];
        private readonly List<Import> _imports = [];
        private uint[] _functions = [];
        private TableType[] _tables = [];
        private MemoryType[] _memories = [];
        private Global[] _globals = [];
        private Export[] _exports = [];
        private uint? _start;
        private ElementSegment[] _elements = [];
        private uint? _dataCount;
        private FunctionBody[] _codes = [];
        private DataSegment[] _datas = [];
        private readonly List<CustomSection> _customs = [];
        private NameSection? _names;
        private readonly List<GlobalType> _importedGlobals = [];
        private int _importedFunctions, _importedTables, _importedMemories;

        public State(ReadOnlyMemory<byte> wasm) => _wasm = wasm;

        private const string SectionEnd = "unexpected end of section or function";

        private static WasmModuleException Error(string message, int offset) => new(WasmErrorKind.Malformed, message, offset);

        /// <summary>
        /// Reads a vector length. Every element takes at least one byte, so a length beyond the bytes left
        /// can never be satisfied: it is clamped so that allocation stays bounded by the input size, and
        /// decoding then fails where the spec's decoder would, at the first missing element.
        /// </summary>
        private static int Length(ref WasmReader r)
        {
            uint n = r.ReadVarU32();
            return n <= (uint)r.Remaining ? (int)n : r.Remaining + 1;
        }

        /// <summary>
        /// Reads the length of a section's vector whose total with <paramref name="imported"/> is capped at
        /// <paramref name="max"/>: an implementation limit, reported as invalid before anything is allocated. A length
        /// the bytes left cannot satisfy stays malformed, as in <see cref="Length"/> (the spec's decoder fails there).
        /// </summary>
        private static int CappedLength(ref WasmReader r, int imported, int max, string what)
        {
            int at = r.Offset;
            uint n = r.ReadVarU32();
            if (n > (uint)r.Remaining) return r.Remaining + 1;
            if ((ulong)n + (ulong)imported > (ulong)max)
                throw new WasmModuleException(WasmErrorKind.Invalid,
                    $"too many {what} ({(ulong)n + (ulong)imported}; this implementation accepts at most {max})", at);
            return (int)n;
        }

        public Module ReadModule()
        {
            var span = _wasm.Span;
            var r = new WasmReader(span);
            ReadOnlySpan<byte> magic = [0x00, 0x61, 0x73, 0x6D];
            ReadOnlySpan<byte> version = [0x01, 0x00, 0x00, 0x00];
            // Like the spec's decoder, the magic and the version are read as 4-byte words: short input is an unexpected end.
            if (span.Length < 4) throw Error("unexpected end", span.Length);
            if (!span[..4].SequenceEqual(magic)) throw Error("magic header not detected", 0);
            if (span.Length < 8) throw Error("unexpected end", span.Length);
            if (!span[4..8].SequenceEqual(version)) throw Error("unknown binary version", 4);
            r.Skip(8);

            int lastRank = 0;
            while (!r.IsAtEnd)
            {
                int idOffset = r.Offset;
                byte id = r.ReadByte();
                if (id > 12) throw Error("malformed section id", idOffset);
                int sizeOffset = r.Offset;
                uint size = r.ReadVarU32();
                if (size > (uint)r.Remaining) throw Error("length out of bounds", sizeOffset);
                int start = r.Position;
                var content = new WasmReader(span.Slice(start, (int)size), start, SectionEnd);
                r.Skip((int)size);
                if (id == 0)
                {
                    ReadCustomSection(ref content, start, (int)size);
                    continue;
                }
                int rank = id switch { 12 => 10, 10 => 11, 11 => 12, _ => id };
                if (rank <= lastRank) throw Error("unexpected content after last section", idOffset);
                lastRank = rank;
                _sectionOffsets[id] = start;
                switch (id)
                {
                    case 1: ReadTypeSection(ref content); break;
                    case 2: ReadImportSection(ref content); break;
                    case 3: ReadFunctionSection(ref content); break;
                    case 4: ReadTableSection(ref content); break;
                    case 5: ReadMemorySection(ref content); break;
                    case 6: ReadGlobalSection(ref content); break;
                    case 7: ReadExportSection(ref content); break;
                    case 8: _start = content.ReadVarU32(); break;
                    case 9: ReadElementSection(ref content); break;
                    case 10: ReadCodeSection(ref content); break;
                    case 11: ReadDataSection(ref content); break;
                    case 12: _dataCount = content.ReadVarU32(); _features |= WasmFeatures.BulkMemory; break;
                }
                if (!content.IsAtEnd) throw Error("section size mismatch", content.Offset);
            }

            if (_functions.Length != _codes.Length)
                throw Error("function and code section have inconsistent lengths", span.Length);
            if (_dataCount is { } dc && dc != (uint)_datas.Length)
                throw Error("data count and data section have inconsistent lengths", span.Length);

            return new Module
            {
                Types = _types,
                Imports = _imports.ToArray(),
                Functions = _functions,
                Tables = _tables,
                Memories = _memories,
                Globals = _globals,
                Exports = _exports,
                Start = _start,
                Elements = _elements,
                DataCount = _dataCount,
                Codes = _codes,
                Datas = _datas,
                CustomSections = _customs.ToArray(),
                Names = _names,
                Features = _features,
                ImportedFunctionCount = _importedFunctions,
                ImportedTableCount = _importedTables,
                ImportedMemoryCount = _importedMemories,
                ImportedGlobalCount = _importedGlobals.Count,
                DeferredError = _deferred,
                SectionOffsets = _sectionOffsets,
            };
        }

        // ---- custom and name sections ----

        private void ReadCustomSection(ref WasmReader r, int start, int size)
        {
            string name = r.ReadName();
            int dataStart = r.Position;
            var data = _wasm.Slice(start + dataStart, size - dataStart);
            r.Skip(size - dataStart);
            _customs.Add(new CustomSection(name, data));
            if (name == "name" && _names is null)
            {
                try
                {
                    _names = ReadNameSection(data.Span, start + dataStart);
                }
                catch (WasmModuleException)
                {
                    _names = null; // a malformed name section does not make the module malformed: kept raw only
                }
            }
        }

        private static NameSection ReadNameSection(ReadOnlySpan<byte> data, int baseOffset)
        {
            var r = new WasmReader(data, baseOffset);
            string? moduleName = null;
            Dictionary<uint, string>? functionNames = null;
            Dictionary<uint, IReadOnlyDictionary<uint, string>>? localNames = null;
            int lastId = -1;
            while (!r.IsAtEnd)
            {
                byte id = r.ReadByte();
                uint size = r.ReadVarU32();
                if (size > (uint)r.Remaining) throw r.Malformed("length out of bounds");
                if (id <= lastId) throw r.Malformed("out-of-order name subsection");
                lastId = id;
                var sub = new WasmReader(r.ReadBytes((int)size), r.Offset - (int)size);
                switch (id)
                {
                    case 0:
                        moduleName = sub.ReadName();
                        break;
                    case 1:
                        functionNames = ReadNameMap(ref sub);
                        break;
                    case 2:
                    {
                        int n = Length(ref sub);
                        localNames = new Dictionary<uint, IReadOnlyDictionary<uint, string>>(n);
                        for (int i = 0; i < n; i++)
                        {
                            uint funcidx = sub.ReadVarU32();
                            var map = ReadNameMap(ref sub);
                            if (!localNames.TryAdd(funcidx, map)) throw sub.Malformed("duplicate function in local names");
                        }
                        break;
                    }
                    default:
                        continue; // other subsections (labels, types, …) are skipped
                }
                if (!sub.IsAtEnd) throw sub.Malformed("name subsection size mismatch");
            }
            return new NameSection
            {
                ModuleName = moduleName,
                FunctionNames = functionNames ?? new Dictionary<uint, string>(),
                LocalNames = localNames ?? new Dictionary<uint, IReadOnlyDictionary<uint, string>>(),
            };
        }

        private static Dictionary<uint, string> ReadNameMap(ref WasmReader r)
        {
            int n = Length(ref r);
            var map = new Dictionary<uint, string>(n);
            for (int i = 0; i < n; i++)
            {
                uint idx = r.ReadVarU32();
                string name = r.ReadName();
                if (!map.TryAdd(idx, name)) throw r.Malformed("duplicate index in name map");
            }
            return map;
        }

        // ---- type, import, function, table, memory, global, export ----

        private void ReadTypeSection(ref WasmReader r)
        {
            int n = Length(ref r);
            _types = new FuncType[n];
            for (int i = 0; i < n; i++)
            {
                int at = r.Offset;
                byte form = r.ReadByte();
                if (form != 0x60) throw Error((form & 0x80) != 0 ? "integer representation too long" : "malformed functype", at);
                var parameters = ReadValueTypes(ref r);
                var results = ReadValueTypes(ref r);
                if (results.Length > 1) _features |= WasmFeatures.MultiValue;
                _types[i] = parameters.Length == 0 && results.Length == 0 ? FuncType.Empty : new FuncType(parameters, results);
            }
        }

        private ValueType[] ReadValueTypes(ref WasmReader r)
        {
            int n = Length(ref r);
            if (n == 0) return [];
            var types = new ValueType[n];
            for (int i = 0; i < n; i++)
            {
                var t = ReadValueType(ref r);
                NoteValueType(t);
                types[i] = t;
            }
            return types;
        }

        private void NoteValueType(ValueType t)
        {
            if (t == ValueType.V128) _features |= WasmFeatures.Simd;
            else if (t == ValueType.ExternRef) _features |= WasmFeatures.ReferenceTypes;
        }

        private void ReadImportSection(ref WasmReader r)
        {
            int n = CappedLength(ref r, 0, MaxImports, "imports");
            _imports.Capacity = n;
            for (int i = 0; i < n; i++)
            {
                string module = r.ReadName();
                string name = r.ReadName();
                int at = r.Offset;
                byte kind = r.ReadByte();
                switch ((ExternKind)kind)
                {
                    case ExternKind.Function:
                        _imports.Add(new Import(module, name, ExternKind.Function) { TypeIndex = r.ReadVarU32() });
                        _importedFunctions++;
                        break;
                    case ExternKind.Table:
                        _imports.Add(new Import(module, name, ExternKind.Table) { Table = ReadTableType(ref r) });
                        _importedTables++;
                        break;
                    case ExternKind.Memory:
                        _imports.Add(new Import(module, name, ExternKind.Memory) { Memory = new MemoryType(ReadLimits(ref r)) });
                        _importedMemories++;
                        break;
                    case ExternKind.Global:
                    {
                        var type = ReadGlobalType(ref r);
                        if (type.Mutable) _features |= WasmFeatures.MutableGlobals;
                        _imports.Add(new Import(module, name, ExternKind.Global) { Global = type });
                        _importedGlobals.Add(type);
                        break;
                    }
                    default:
                        throw Error("malformed import kind", at);
                }
            }
        }

        private void ReadFunctionSection(ref WasmReader r)
        {
            int n = CappedLength(ref r, _importedFunctions, MaxFunctions, "functions");
            _functions = new uint[n];
            for (int i = 0; i < n; i++) _functions[i] = r.ReadVarU32();
        }

        private void ReadTableSection(ref WasmReader r)
        {
            int n = CappedLength(ref r, _importedTables, MaxTables, "tables");
            _tables = new TableType[n];
            for (int i = 0; i < n; i++) _tables[i] = ReadTableType(ref r);
        }

        private TableType ReadTableType(ref WasmReader r)
        {
            var elementType = ReadReferenceType(ref r);
            NoteValueType(elementType);
            return new TableType(elementType, ReadLimits(ref r));
        }

        private void ReadMemorySection(ref WasmReader r)
        {
            int n = Length(ref r);
            _memories = new MemoryType[n];
            for (int i = 0; i < n; i++) _memories[i] = new MemoryType(ReadLimits(ref r));
        }

        private static Limits ReadLimits(ref WasmReader r)
        {
            int at = r.Offset;
            byte flags = r.ReadByte();
            switch (flags)
            {
                case 0: return new Limits(r.ReadVarU32(), null);
                case 1:
                {
                    uint min = r.ReadVarU32();
                    return new Limits(min, r.ReadVarU32());
                }
                default:
                    // The flag is one byte; the testsuite words an LEB128-looking flag as an over-long integer.
                    throw Error((flags & 0x80) != 0 ? "integer representation too long" : "integer too large", at);
            }
        }

        private GlobalType ReadGlobalType(ref WasmReader r)
        {
            var type = ReadValueType(ref r);
            NoteValueType(type);
            int at = r.Offset;
            byte mut = r.ReadByte();
            if (mut > 1) throw Error("malformed mutability", at);
            return new GlobalType(type, mut == 1);
        }

        private void ReadGlobalSection(ref WasmReader r)
        {
            int n = CappedLength(ref r, _importedGlobals.Count, MaxGlobals, "globals");
            _globals = new Global[n];
            for (int i = 0; i < n; i++)
            {
                var type = ReadGlobalType(ref r);
                _globals[i] = new Global(type, ReadConstantExpression(ref r));
            }
        }

        private void ReadExportSection(ref WasmReader r)
        {
            int n = Length(ref r);
            _exports = new Export[n];
            for (int i = 0; i < n; i++)
            {
                string name = r.ReadName();
                int at = r.Offset;
                byte kind = r.ReadByte();
                if (kind > 3) throw Error("malformed export kind", at);
                _exports[i] = new Export(name, (ExternKind)kind, r.ReadVarU32());
            }
        }

        // ---- constant expressions ----

        private void Defer(string message, int offset) =>
            _deferred ??= new WasmModuleException(WasmErrorKind.Invalid, message, offset);

        /// <summary>
        /// Decodes a constant expression. Well-formed but non-constant or ill-typed sequences (several
        /// instructions, none, a non-constant instruction) are decoded to their end and recorded as a deferred
        /// validation error: they are invalid, not malformed.
        /// </summary>
        private ConstantExpression ReadConstantExpression(ref WasmReader sectionReader)
        {
            var r = new InstructionReader(sectionReader);
            int start = r.Offset;
            ConstantExpression result = default;
            int count = 0;
            long depth = 0;
            int nonConstantAt = -1, extraAt = -1;
            while (true)
            {
                int at = r.Offset;
                var op = r.ReadOpcode();
                if (op == Opcode.End && depth == 0) break;
                count++;
                ConstantExpression? decoded = null;
                if (depth == 0)
                {
                    switch (op)
                    {
                        case Opcode.I32Const: decoded = new ConstantExpression(ConstantKind.Const, ValueType.I32, (uint)r.ReadI32(), 0); break;
                        case Opcode.I64Const: decoded = new ConstantExpression(ConstantKind.Const, ValueType.I64, (ulong)r.ReadI64(), 0); break;
                        case Opcode.F32Const: decoded = new ConstantExpression(ConstantKind.Const, ValueType.F32, r.ReadF32(), 0); break;
                        case Opcode.F64Const: decoded = new ConstantExpression(ConstantKind.Const, ValueType.F64, r.ReadF64(), 0); break;
                        case Opcode.RefNull:
                        {
                            var t = r.ReadReferenceType();
                            NoteValueType(t);
                            _features |= WasmFeatures.ReferenceTypes;
                            decoded = new ConstantExpression(ConstantKind.RefNull, t, 0, 0);
                            break;
                        }
                        case Opcode.RefFunc:
                            _features |= WasmFeatures.ReferenceTypes;
                            decoded = new ConstantExpression(ConstantKind.RefFunc, ValueType.FuncRef, 0, r.ReadFunctionIndex());
                            break;
                        case Opcode.GlobalGet:
                        {
                            uint g = r.ReadGlobalIndex();
                            var t = g < (uint)_importedGlobals.Count ? _importedGlobals[(int)g].ValueType : default;
                            decoded = new ConstantExpression(ConstantKind.GlobalGet, t, 0, g);
                            break;
                        }
                        case Opcode.Prefix0xFD when r.Reader.PeekByte() == (byte)SimdOpcode.V128Const: // one LEB128 byte
                        {
                            r.ReadSimdOpcode();
                            var bytes = r.ReadV128();
                            ulong low = BinaryPrimitives.ReadUInt64LittleEndian(bytes), high = BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]);
                            _features |= WasmFeatures.Simd;
                            decoded = new ConstantExpression(ConstantKind.Const, ValueType.V128, low, 0) { HighBits = high };
                            break;
                        }
                    }
                }
                if (decoded is { } d)
                {
                    if (count == 1) result = d;
                    else if (extraAt < 0) extraAt = at;
                    continue;
                }
                if (op is Opcode.Block or Opcode.Loop or Opcode.If) depth++;
                else if (op == Opcode.End) depth--;
                if (nonConstantAt < 0) nonConstantAt = at;
                r.SkipImmediates(op);
            }
            sectionReader = r.Reader;
            // The spec checks constness before types: a non-constant instruction wins over an arity error.
            if (nonConstantAt >= 0) Defer("constant expression required", nonConstantAt);
            else if (extraAt >= 0) Defer("type mismatch", extraAt);
            else if (count == 0) Defer("type mismatch", start);
            return result;
        }

        // ---- element, code, data ----

        private void ReadElementSection(ref WasmReader r)
        {
            int n = CappedLength(ref r, 0, MaxElementSegments, "element segments");
            _elements = new ElementSegment[n];
            for (int i = 0; i < n; i++)
            {
                int at = r.Offset;
                uint flags = r.ReadVarU32();
                if (flags > 7) throw Error("malformed elements segment kind", at);
                bool passiveOrDeclarative = (flags & 1) != 0;
                bool explicitTable = (flags & 2) != 0;
                bool expressions = (flags & 4) != 0;
                var mode = !passiveOrDeclarative ? SegmentMode.Active : explicitTable ? SegmentMode.Declarative : SegmentMode.Passive;
                if (mode != SegmentMode.Active) _features |= WasmFeatures.BulkMemory;
                if (mode == SegmentMode.Declarative || expressions) _features |= WasmFeatures.ReferenceTypes;
                uint table = 0;
                ConstantExpression? offset = null;
                if (mode == SegmentMode.Active)
                {
                    if (explicitTable) table = r.ReadVarU32();
                    if (table != 0) _features |= WasmFeatures.ReferenceTypes;
                    offset = ReadConstantExpression(ref r);
                }
                var elementType = ValueType.FuncRef;
                if (passiveOrDeclarative || explicitTable)
                {
                    if (expressions)
                    {
                        elementType = ReadReferenceType(ref r);
                        NoteValueType(elementType);
                    }
                    else
                    {
                        int kindAt = r.Offset;
                        if (r.ReadByte() != 0x00) throw Error("malformed element kind", kindAt);
                    }
                }
                int count = Length(ref r);
                var items = count == 0 ? [] : new ConstantExpression[count];
                for (int k = 0; k < count; k++)
                {
                    items[k] = expressions
                        ? ReadConstantExpression(ref r)
                        : new ConstantExpression(ConstantKind.RefFunc, ValueType.FuncRef, 0, r.ReadVarU32());
                }
                _elements[i] = new ElementSegment(mode, elementType, items) { TableIndex = table, Offset = offset };
            }
        }

        private void ReadCodeSection(ref WasmReader r)
        {
            int n = Length(ref r);
            if (n != _functions.Length) throw Error("function and code section have inconsistent lengths", r.Offset);
            _codes = new FunctionBody[n];
            var runs = new List<LocalRun>();
            for (int i = 0; i < n; i++)
            {
                int sizeAt = r.Offset;
                uint size = r.ReadVarU32();
                if (size > (uint)r.Remaining) throw Error("unexpected end of section or function", sizeAt);
                int bodyStart = r.Position;
                var body = new WasmReader(r.ReadBytes((int)size), r.BaseOffset + bodyStart, SectionEnd);
                int runCount = Length(ref body);
                runs.Clear();
                ulong total = 0;
                for (int k = 0; k < runCount; k++)
                {
                    int countAt = body.Offset;
                    uint c = body.ReadVarU32();
                    total += c;
                    if (total > uint.MaxValue) throw Error("too many locals", countAt);
                    var t = ReadValueType(ref body);
                    NoteValueType(t);
                    if (c != 0) runs.Add(new LocalRun(c, t));
                }
                if (total > MaxLocals)
                    throw new WasmModuleException(WasmErrorKind.Invalid,
                        $"too many locals ({total}; this implementation accepts at most {MaxLocals})", body.BaseOffset, (uint)(_importedFunctions + i));
                int codeStart = body.Position;
                if (body.IsAtEnd) throw Error("unexpected end of section or function", body.Offset);
                var code = _wasm.Slice(body.BaseOffset + codeStart, body.Length - codeStart);
                _codes[i] = new FunctionBody(runs.Count == 0 ? [] : runs.ToArray(), (int)total, code, body.BaseOffset + codeStart);
            }
        }

        private void ReadDataSection(ref WasmReader r)
        {
            int n = CappedLength(ref r, 0, MaxDataSegments, "data segments");
            _datas = new DataSegment[n];
            for (int i = 0; i < n; i++)
            {
                int at = r.Offset;
                uint flags = r.ReadVarU32();
                SegmentMode mode;
                uint memory = 0;
                ConstantExpression? offset = null;
                switch (flags)
                {
                    case 0:
                        mode = SegmentMode.Active;
                        offset = ReadConstantExpression(ref r);
                        break;
                    case 1:
                        mode = SegmentMode.Passive;
                        _features |= WasmFeatures.BulkMemory;
                        break;
                    case 2:
                        mode = SegmentMode.Active;
                        memory = r.ReadVarU32();
                        offset = ReadConstantExpression(ref r);
                        break;
                    default:
                        throw Error("malformed data segment kind", at);
                }
                int lengthAt = r.Offset;
                uint length = r.ReadVarU32();
                if (length > (uint)r.Remaining) throw Error("unexpected end of section or function", lengthAt);
                int dataStart = r.Offset;
                r.Skip((int)length);
                _datas[i] = new DataSegment(mode, _wasm.Slice(dataStart, (int)length)) { MemoryIndex = memory, Offset = offset };
            }
        }
    }
}
