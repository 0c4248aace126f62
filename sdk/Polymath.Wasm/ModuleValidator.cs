using System.Runtime.CompilerServices;

namespace Polymath.Wasm;

/// <summary>
/// Validates a decoded <see cref="Module"/> with the WebAssembly 2.0 spec's validation algorithm
/// (appendix "Validation Algorithm": an operand stack whose entries may be <em>Unknown</em> in unreachable
/// code, and a control stack of frames), and computes <see cref="Module.Features"/>.
/// </summary>
/// <remarks>
/// One forward pass per function body, with stacks kept in reused arrays (no allocation per instruction).
/// Error messages follow the spec testsuite's wording ("type mismatch", "unknown local", …).
/// If an invalid construct is found, all bodies are then scanned for well-formedness first, so that a
/// malformed binary is reported as malformed (decoding precedes validation in the spec) whatever the order.
/// The SIMD instructions are validated too (and set <see cref="WasmFeatures.Simd"/>).
/// </remarks>
public static class ModuleValidator
{
    /// <summary>Validates <paramref name="module"/> and sets its <see cref="Module.Features"/>.</summary>
    /// <exception cref="WasmModuleException">The module is invalid (or, for code the reader only delimited, malformed).</exception>
    public static void Validate(Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        try
        {
            var v = new Validator(module);
            try
            {
                v.Run();
            }
            catch (WasmModuleException e) when (e.Kind == WasmErrorKind.Invalid)
            {
                v.ScanAllBodiesForMalformed();
                throw;
            }
            module.Features = v.Features;
        }
        catch (WasmModuleException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw new WasmModuleException(WasmErrorKind.Invalid, $"internal validator error ({e.GetType().Name}: {e.Message})");
        }
    }

    private struct Frame
    {
        public ValueType[] Params;
        public ValueType[] Results;
        public int Height;
        public byte Opcode;
        public bool Unreachable;
    }

    private sealed class Validator
    {
        private const ValueType Unknown = 0;

        private static readonly ValueType[][] Single = CreateSingles();
        private static readonly byte[] UnaryIn = new byte[256], UnaryOut = new byte[256], BinaryIn = new byte[256], BinaryOut = new byte[256];

        private readonly Module _module;
        private FuncType[] _types = [];
        private FuncType[] _funcTypes = [];
        private TableType[] _tables = [];
        private MemoryType[] _memories = [];
        private GlobalType[] _globals = [];
        private ValueType[] _elemTypes = [];
        private bool[] _refs = [];
        private int _importedGlobals;

        private ValueType[] _vals = new ValueType[64];
        private int _vh;
        private Frame[] _ctrls = new Frame[16];
        private int _ch;
        private ValueType[] _locals = new ValueType[16];
        private int _localCount;
        private ValueType[] _scratch = new ValueType[8];
        private int _opOffset;
        private uint _funcIdx;
        private bool _inFunction;
        private int _sectionOffset;

        public WasmFeatures Features;

        static Validator()
        {
            const byte i32 = (byte)ValueType.I32, i64 = (byte)ValueType.I64, f32 = (byte)ValueType.F32, f64 = (byte)ValueType.F64;
            void U(int from, int to, byte i, byte o) { for (int k = from; k <= to; k++) { UnaryIn[k] = i; UnaryOut[k] = o; } }
            void B(int from, int to, byte i, byte o) { for (int k = from; k <= to; k++) { BinaryIn[k] = i; BinaryOut[k] = o; } }
            U(0x45, 0x45, i32, i32); B(0x46, 0x4F, i32, i32);
            U(0x50, 0x50, i64, i32); B(0x51, 0x5A, i64, i32);
            B(0x5B, 0x60, f32, i32); B(0x61, 0x66, f64, i32);
            U(0x67, 0x69, i32, i32); B(0x6A, 0x78, i32, i32);
            U(0x79, 0x7B, i64, i64); B(0x7C, 0x8A, i64, i64);
            U(0x8B, 0x91, f32, f32); B(0x92, 0x98, f32, f32);
            U(0x99, 0x9F, f64, f64); B(0xA0, 0xA6, f64, f64);
            U(0xA7, 0xA7, i64, i32); U(0xA8, 0xA9, f32, i32); U(0xAA, 0xAB, f64, i32);
            U(0xAC, 0xAD, i32, i64); U(0xAE, 0xAF, f32, i64); U(0xB0, 0xB1, f64, i64);
            U(0xB2, 0xB3, i32, f32); U(0xB4, 0xB5, i64, f32); U(0xB6, 0xB6, f64, f32);
            U(0xB7, 0xB8, i32, f64); U(0xB9, 0xBA, i64, f64); U(0xBB, 0xBB, f32, f64);
            U(0xBC, 0xBC, f32, i32); U(0xBD, 0xBD, f64, i64); U(0xBE, 0xBE, i32, f32); U(0xBF, 0xBF, i64, f64);
            U(0xC0, 0xC1, i32, i32); U(0xC2, 0xC4, i64, i64);
        }

        private static ValueType[][] CreateSingles()
        {
            var singles = new ValueType[256][];
            foreach (var t in new[] { ValueType.I32, ValueType.I64, ValueType.F32, ValueType.F64, ValueType.V128, ValueType.FuncRef, ValueType.ExternRef })
                singles[(byte)t] = [t];
            return singles;
        }

        public Validator(Module module)
        {
            _module = module;
            Features = module.Features;
        }

        /// <summary>Builds the context C: index spaces and the set of declared function references.</summary>
        private void BuildContext()
        {
            var module = _module;
            _types = module.Types as FuncType[] ?? module.Types.ToArray();
            InSection(2);

            int totalFuncs = module.ImportedFunctionCount + module.Functions.Count;
            _funcTypes = new FuncType[totalFuncs];
            _tables = new TableType[module.ImportedTableCount + module.Tables.Count];
            _memories = new MemoryType[module.ImportedMemoryCount + module.Memories.Count];
            _globals = new GlobalType[module.ImportedGlobalCount + module.Globals.Count];
            int f = 0, t = 0, m = 0, g = 0;
            foreach (var import in module.Imports)
            {
                switch (import.Kind)
                {
                    case ExternKind.Function:
                        _funcTypes[f++] = TypeAt(import.TypeIndex);
                        break;
                    case ExternKind.Table:
                        _tables[t++] = import.Table!;
                        break;
                    case ExternKind.Memory:
                        _memories[m++] = import.Memory!;
                        break;
                    case ExternKind.Global:
                        _globals[g++] = import.Global!;
                        if (import.Global!.Mutable) Features |= WasmFeatures.MutableGlobals;
                        break;
                }
            }
            if (f != module.ImportedFunctionCount || t != module.ImportedTableCount || m != module.ImportedMemoryCount || g != module.ImportedGlobalCount)
                throw Invalid("import counts do not match the imports");
            _importedGlobals = g;
            InSection(3);
            for (int i = 0; i < module.Functions.Count; i++) _funcTypes[f++] = TypeAt(module.Functions[i]);
            foreach (var table in module.Tables) _tables[t++] = table;
            foreach (var memory in module.Memories) _memories[m++] = memory;
            foreach (var global in module.Globals) _globals[g++] = global.Type;

            _elemTypes = new ValueType[module.Elements.Count];
            for (int i = 0; i < _elemTypes.Length; i++) _elemTypes[i] = module.Elements[i].ElementType;

            // C.refs: functions referenced by ref.func outside function bodies, or exported.
            _refs = new bool[totalFuncs];
            foreach (var global in module.Globals) Declare(global.Init);
            foreach (var elem in module.Elements)
                foreach (var item in elem.Items) Declare(item);
            foreach (var export in module.Exports)
                if (export.Kind == ExternKind.Function && export.Index < (uint)totalFuncs) _refs[export.Index] = true;
        }

        private void Declare(ConstantExpression e)
        {
            if (e.Kind == ConstantKind.RefFunc && e.Index < (uint)_refs.Length) _refs[e.Index] = true;
        }

        private FuncType TypeAt(uint typeidx)
        {
            if (typeidx >= (uint)_types.Length) throw Invalid($"unknown type {typeidx}");
            return _types[typeidx];
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private WasmModuleException Invalid(string message) =>
            _inFunction
                ? new WasmModuleException(WasmErrorKind.Invalid, message, _opOffset, _funcIdx)
                : new WasmModuleException(WasmErrorKind.Invalid, message, _sectionOffset > 0 ? _sectionOffset : -1);

        /// <summary>Module-level errors point at the start of the section being checked.</summary>
        private void InSection(int id) =>
            _sectionOffset = (uint)id < (uint)_module.SectionOffsets.Length ? _module.SectionOffsets[id] : 0;

        [MethodImpl(MethodImplOptions.NoInlining)]
        private WasmModuleException Malformed(string message) =>
            new(WasmErrorKind.Malformed, message, _opOffset, _inFunction ? _funcIdx : null);

        public void ScanAllBodiesForMalformed()
        {
            bool dataCountRequired = _module.DataCount is null && _module.Datas.Count > 0;
            for (int i = 0; i < _module.Codes.Count; i++)
            {
                var body = _module.Codes[i];
                try
                {
                    CodeScanner.ScanBody(body.Code.Span, body.CodeOffset, dataCountRequired);
                }
                catch (WasmModuleException e)
                {
                    throw new WasmModuleException(e.Kind, e.Reason, e.Offset, (uint)(_module.ImportedFunctionCount + i));
                }
            }
        }

        // ---------------------------------------------------------------- module level

        public void Run()
        {
            var module = _module;
            if (module.DeferredError is { } deferred) throw deferred;
            BuildContext();

            foreach (var type in _types)
                if (type.Results.Length > 1) Features |= WasmFeatures.MultiValue;

            InSection(module.Tables.Count > 0 ? 4 : 2);
            for (int i = 0; i < _tables.Length; i++) CheckTableLimits(_tables[i].Limits);
            InSection(module.Memories.Count > 0 ? 5 : 2);
            if (_tables.Length > 1) Features |= WasmFeatures.ReferenceTypes;
            for (int i = 0; i < _memories.Length; i++) CheckMemoryLimits(_memories[i].Limits);
            if (_memories.Length > 1) throw Invalid("multiple memories");

            InSection(6);
            for (int i = 0; i < module.Globals.Count; i++)
            {
                var global = module.Globals[i];
                CheckConstant(global.Init, global.Type.ValueType);
            }

            InSection(9);
            for (int i = 0; i < module.Elements.Count; i++)
            {
                var elem = module.Elements[i];
                if (elem.Mode == SegmentMode.Active)
                {
                    if (elem.TableIndex >= (uint)_tables.Length) throw Invalid($"unknown table {elem.TableIndex}");
                    if (_tables[elem.TableIndex].ElementType != elem.ElementType) throw Invalid("type mismatch");
                    if (elem.Offset is not { } offset) throw Invalid("type mismatch");
                    CheckConstant(offset, ValueType.I32);
                }
                foreach (var item in elem.Items) CheckConstant(item, elem.ElementType);
            }

            InSection(11);
            for (int i = 0; i < module.Datas.Count; i++)
            {
                var data = module.Datas[i];
                if (data.Mode == SegmentMode.Passive) Features |= WasmFeatures.BulkMemory;
                if (data.Mode != SegmentMode.Active) continue;
                if (data.MemoryIndex >= (uint)_memories.Length) throw Invalid($"unknown memory {data.MemoryIndex}");
                if (data.Offset is not { } offset) throw Invalid("type mismatch");
                CheckConstant(offset, ValueType.I32);
            }

            InSection(8);
            if (module.Start is { } start)
            {
                if (start >= (uint)_funcTypes.Length) throw Invalid($"unknown function {start}");
                var type = _funcTypes[start];
                if (type.Parameters.Length != 0 || type.Results.Length != 0) throw Invalid("start function must have type [] -> []");
            }

            InSection(7);
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var export in module.Exports)
            {
                if (!names.Add(export.Name)) throw Invalid("duplicate export name");
                switch (export.Kind)
                {
                    case ExternKind.Function:
                        if (export.Index >= (uint)_funcTypes.Length) throw Invalid($"unknown function {export.Index}");
                        break;
                    case ExternKind.Table:
                        if (export.Index >= (uint)_tables.Length) throw Invalid($"unknown table {export.Index}");
                        break;
                    case ExternKind.Memory:
                        if (export.Index >= (uint)_memories.Length) throw Invalid($"unknown memory {export.Index}");
                        break;
                    case ExternKind.Global:
                        if (export.Index >= (uint)_globals.Length) throw Invalid($"unknown global {export.Index}");
                        if (_globals[export.Index].Mutable) Features |= WasmFeatures.MutableGlobals;
                        break;
                    default:
                        throw Invalid("malformed export kind");
                }
            }

            if (module.Codes.Count != module.Functions.Count)
                throw new WasmModuleException(WasmErrorKind.Malformed, "function and code section have inconsistent lengths");
            for (int i = 0; i < module.Codes.Count; i++)
                ValidateFunction((uint)(module.ImportedFunctionCount + i), module.Codes[i]);
            _inFunction = false;
        }

        private void CheckTableLimits(Limits limits)
        {
            if (limits.Max is { } max && limits.Min > max) throw Invalid("size minimum must not be greater than maximum");
        }

        private void CheckMemoryLimits(Limits limits)
        {
            if (limits.Min > MemoryType.MaxPages || limits.Max > MemoryType.MaxPages)
                throw Invalid("memory size must be at most 65536 pages (4GiB)");
            if (limits.Max is { } max && limits.Min > max) throw Invalid("size minimum must not be greater than maximum");
        }

        private void CheckConstant(ConstantExpression e, ValueType expected)
        {
            switch (e.Kind)
            {
                case ConstantKind.Const:
                case ConstantKind.RefNull:
                    if (e.Type != expected) throw Invalid("type mismatch");
                    break;
                case ConstantKind.RefFunc:
                    if (e.Index >= (uint)_funcTypes.Length) throw Invalid($"unknown function {e.Index}");
                    if (expected != ValueType.FuncRef) throw Invalid("type mismatch");
                    break;
                case ConstantKind.GlobalGet:
                    // WebAssembly 2.0: constant expressions may only read imported, immutable globals.
                    if (e.Index >= (uint)_importedGlobals) throw Invalid($"unknown global {e.Index}");
                    if (_globals[e.Index].Mutable) throw Invalid("constant expression required");
                    if (_globals[e.Index].ValueType != expected) throw Invalid("type mismatch");
                    break;
                default:
                    throw Invalid("constant expression required");
            }
        }

        // ---------------------------------------------------------------- operand and control stacks

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Push(ValueType t)
        {
            if (_vh == _vals.Length) Array.Resize(ref _vals, _vals.Length * 2);
            _vals[_vh++] = t;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private ValueType Pop()
        {
            ref var frame = ref _ctrls[_ch - 1];
            if (_vh == frame.Height)
            {
                if (frame.Unreachable) return Unknown;
                throw Invalid("type mismatch");
            }
            return _vals[--_vh];
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private ValueType Pop(ValueType expect)
        {
            var actual = Pop();
            if (actual != expect && actual != Unknown && expect != Unknown) throw Invalid("type mismatch");
            return actual;
        }

        private void PopValues(ValueType[] types)
        {
            for (int i = types.Length - 1; i >= 0; i--) Pop(types[i]);
        }

        private void PushValues(ValueType[] types)
        {
            for (int i = 0; i < types.Length; i++) Push(types[i]);
        }

        private void PushCtrl(byte opcode, ValueType[] parameters, ValueType[] results)
        {
            if (_ch == _ctrls.Length) Array.Resize(ref _ctrls, _ctrls.Length * 2);
            _ctrls[_ch++] = new Frame { Opcode = opcode, Params = parameters, Results = results, Height = _vh, Unreachable = false };
            PushValues(parameters);
        }

        private Frame PopCtrl()
        {
            var frame = _ctrls[_ch - 1];
            PopValues(frame.Results);
            if (_vh != frame.Height) throw Invalid("type mismatch");
            _ch--;
            return frame;
        }

        private void SetUnreachable()
        {
            ref var frame = ref _ctrls[_ch - 1];
            _vh = frame.Height;
            frame.Unreachable = true;
        }

        private static ValueType[] LabelTypes(in Frame frame) => frame.Opcode == 0x03 ? frame.Params : frame.Results;

        private ref Frame Label(uint depth)
        {
            if (depth >= (uint)_ch) throw Invalid($"unknown label {depth}");
            return ref _ctrls[_ch - 1 - (int)depth];
        }

        // ---------------------------------------------------------------- function bodies

        private void ValidateFunction(uint funcidx, FunctionBody body)
        {
            _funcIdx = funcidx;
            _inFunction = true;
            _opOffset = body.CodeOffset;
            var type = _funcTypes[funcidx];

            int localCount = type.Parameters.Length + body.LocalCount;
            if (_locals.Length < localCount) _locals = new ValueType[Math.Max(localCount, _locals.Length * 2)];
            type.Parameters.AsSpan().CopyTo(_locals);
            int n = type.Parameters.Length;
            foreach (var run in body.Locals)
            {
                if (run.Count > (uint)(localCount - n)) throw Invalid("too many locals");
                _locals.AsSpan(n, (int)run.Count).Fill(run.Type);
                n += (int)run.Count;
            }
            _localCount = n;

            _vh = 0;
            _ch = 0;
            PushCtrl(0x02, [], type.Results);

            var r = new WasmReader(body.Code.Span, body.CodeOffset, "unexpected end of section or function");
            while (true)
            {
                _opOffset = r.Offset;
                if (r.IsAtEnd) throw Malformed("unexpected end of section or function");
                byte op = r.ReadByte();
                if (op == 0x0B)
                {
                    var frame = PopCtrl();
                    if (frame.Opcode == 0x04)
                    {
                        // if without else: the empty else branch must turn the params into the results.
                        PushCtrl(0x05, frame.Params, frame.Results);
                        PopCtrl();
                    }
                    PushValues(frame.Results);
                    if (_ch == 0)
                    {
                        if (!r.IsAtEnd)
                        {
                            _opOffset = r.Offset;
                            throw Malformed("section size mismatch");
                        }
                        return;
                    }
                    continue;
                }
                Instruction(ref r, op);
            }
        }

        private void ReadBlockType(ref WasmReader r, out ValueType[] parameters, out ValueType[] results)
        {
            byte b = r.PeekByte();
            if (b == 0x40)
            {
                r.ReadByte();
                parameters = [];
                results = [];
                return;
            }
            if (ModuleReader.IsValueTypeByte(b))
            {
                r.ReadByte();
                parameters = [];
                results = Single[b];
                return;
            }
            long idx = r.ReadVarS33();
            if (idx < 0) throw Malformed("malformed block type");
            if (idx >= _types.Length) throw Invalid($"unknown type {idx}");
            var type = _types[idx];
            if (type.Parameters.Length > 0 || type.Results.Length > 1) Features |= WasmFeatures.MultiValue;
            parameters = type.Parameters;
            results = type.Results;
        }

        private void CheckMemory(uint memidx)
        {
            if (memidx >= (uint)_memories.Length) throw Invalid($"unknown memory {memidx}");
        }

        private void MemArg(ref WasmReader r, int naturalAlignment)
        {
            uint align = r.ReadVarU32();
            r.ReadVarU32();
            CheckMemory(0);
            if (align > (uint)naturalAlignment) throw Invalid("alignment must not be larger than natural");
        }

        private TableType Table(uint tableidx)
        {
            if (tableidx >= (uint)_tables.Length) throw Invalid($"unknown table {tableidx}");
            return _tables[tableidx];
        }

        private void ZeroByte(ref WasmReader r)
        {
            int at = r.Offset;
            if (r.ReadByte() != 0) throw new WasmModuleException(WasmErrorKind.Malformed, "zero byte expected", at, _funcIdx);
        }

        private void Instruction(ref WasmReader r, byte op)
        {
            const ValueType i32 = ValueType.I32, i64 = ValueType.I64, f32 = ValueType.F32, f64 = ValueType.F64, v128 = ValueType.V128;

            byte uin = UnaryIn[op];
            if (uin != 0)
            {
                Pop((ValueType)uin);
                Push((ValueType)UnaryOut[op]);
                if (op >= 0xC0) Features |= WasmFeatures.SignExtension;
                return;
            }
            byte bin = BinaryIn[op];
            if (bin != 0)
            {
                Pop((ValueType)bin);
                Pop((ValueType)bin);
                Push((ValueType)BinaryOut[op]);
                return;
            }

            switch (op)
            {
                case 0x00: // unreachable
                    SetUnreachable();
                    return;
                case 0x01: // nop
                    return;
                case 0x02: // block
                case 0x03: // loop
                {
                    ReadBlockType(ref r, out var ps, out var rs);
                    PopValues(ps);
                    PushCtrl(op, ps, rs);
                    return;
                }
                case 0x04: // if
                {
                    ReadBlockType(ref r, out var ps, out var rs);
                    Pop(i32);
                    PopValues(ps);
                    PushCtrl(op, ps, rs);
                    return;
                }
                case 0x05: // else
                {
                    if (_ctrls[_ch - 1].Opcode != 0x04) throw Malformed("END opcode expected");
                    var frame = PopCtrl();
                    PushCtrl(0x05, frame.Params, frame.Results);
                    return;
                }
                case 0x0C: // br
                {
                    PopValues(LabelTypes(Label(r.ReadVarU32())));
                    SetUnreachable();
                    return;
                }
                case 0x0D: // br_if
                {
                    var types = LabelTypes(Label(r.ReadVarU32()));
                    Pop(i32);
                    PopValues(types);
                    PushValues(types);
                    return;
                }
                case 0x0E: // br_table
                {
                    int n = r.ReadCount(1);
                    int tableStart = r.Position;
                    for (int i = 0; i < n; i++) r.ReadVarU32();
                    var defaultTypes = LabelTypes(Label(r.ReadVarU32()));
                    int end = r.Position;
                    Pop(i32);
                    int arity = defaultTypes.Length;
                    r.Position = tableStart;
                    for (int i = 0; i < n; i++)
                    {
                        var types = LabelTypes(Label(r.ReadVarU32()));
                        if (types.Length != arity) throw Invalid("type mismatch");
                        CheckKeep(types);
                    }
                    r.Position = end;
                    PopValues(defaultTypes);
                    SetUnreachable();
                    return;
                }
                case 0x0F: // return
                    PopValues(_ctrls[0].Results);
                    SetUnreachable();
                    return;
                case 0x10: // call
                {
                    uint f = r.ReadVarU32();
                    if (f >= (uint)_funcTypes.Length) throw Invalid($"unknown function {f}");
                    var type = _funcTypes[f];
                    PopValues(type.Parameters);
                    PushValues(type.Results);
                    return;
                }
                case 0x11: // call_indirect
                {
                    uint typeidx = r.ReadVarU32();
                    uint tableidx = r.ReadVarU32();
                    var table = Table(tableidx);
                    if (tableidx != 0) Features |= WasmFeatures.ReferenceTypes;
                    if (table.ElementType != ValueType.FuncRef) throw Invalid("type mismatch");
                    if (typeidx >= (uint)_types.Length) throw Invalid($"unknown type {typeidx}");
                    var type = _types[typeidx];
                    Pop(i32);
                    PopValues(type.Parameters);
                    PushValues(type.Results);
                    return;
                }
                case 0x1A: // drop
                    Pop();
                    return;
                case 0x1B: // select
                {
                    Pop(i32);
                    var t1 = Pop();
                    var t2 = Pop();
                    bool num1 = t1 == Unknown || t1.IsNumeric(), num2 = t2 == Unknown || t2.IsNumeric();
                    bool vec1 = t1 == Unknown || t1 == v128, vec2 = t2 == Unknown || t2 == v128;
                    if (!((num1 && num2) || (vec1 && vec2))) throw Invalid("type mismatch");
                    if (t1 != t2 && t1 != Unknown && t2 != Unknown) throw Invalid("type mismatch");
                    Push(t1 == Unknown ? t2 : t1);
                    return;
                }
                case 0x1C: // select t*
                {
                    int n = r.ReadCount(1);
                    if (n != 1) throw Invalid("invalid result arity");
                    var t = ModuleReader.ReadValueType(ref r);
                    Features |= WasmFeatures.ReferenceTypes;
                    Pop(i32);
                    Pop(t);
                    Pop(t);
                    Push(t);
                    return;
                }
                case 0x20: // local.get
                    Push(Local(r.ReadVarU32()));
                    return;
                case 0x21: // local.set
                    Pop(Local(r.ReadVarU32()));
                    return;
                case 0x22: // local.tee
                {
                    var t = Local(r.ReadVarU32());
                    Pop(t);
                    Push(t);
                    return;
                }
                case 0x23: // global.get
                    Push(GlobalAt(r.ReadVarU32()).ValueType);
                    return;
                case 0x24: // global.set
                {
                    var g = GlobalAt(r.ReadVarU32());
                    if (!g.Mutable) throw Invalid("global is immutable");
                    Pop(g.ValueType);
                    return;
                }
                case 0x25: // table.get
                {
                    var table = Table(r.ReadVarU32());
                    Features |= WasmFeatures.ReferenceTypes;
                    Pop(i32);
                    Push(table.ElementType);
                    return;
                }
                case 0x26: // table.set
                {
                    var table = Table(r.ReadVarU32());
                    Features |= WasmFeatures.ReferenceTypes;
                    Pop(table.ElementType);
                    Pop(i32);
                    return;
                }
                case 0x28: MemArg(ref r, 2); Pop(i32); Push(i32); return;
                case 0x29: MemArg(ref r, 3); Pop(i32); Push(i64); return;
                case 0x2A: MemArg(ref r, 2); Pop(i32); Push(f32); return;
                case 0x2B: MemArg(ref r, 3); Pop(i32); Push(f64); return;
                case 0x2C: case 0x2D: MemArg(ref r, 0); Pop(i32); Push(i32); return;
                case 0x2E: case 0x2F: MemArg(ref r, 1); Pop(i32); Push(i32); return;
                case 0x30: case 0x31: MemArg(ref r, 0); Pop(i32); Push(i64); return;
                case 0x32: case 0x33: MemArg(ref r, 1); Pop(i32); Push(i64); return;
                case 0x34: case 0x35: MemArg(ref r, 2); Pop(i32); Push(i64); return;
                case 0x36: MemArg(ref r, 2); Pop(i32); Pop(i32); return;
                case 0x37: MemArg(ref r, 3); Pop(i64); Pop(i32); return;
                case 0x38: MemArg(ref r, 2); Pop(f32); Pop(i32); return;
                case 0x39: MemArg(ref r, 3); Pop(f64); Pop(i32); return;
                case 0x3A: MemArg(ref r, 0); Pop(i32); Pop(i32); return;
                case 0x3B: MemArg(ref r, 1); Pop(i32); Pop(i32); return;
                case 0x3C: MemArg(ref r, 0); Pop(i64); Pop(i32); return;
                case 0x3D: MemArg(ref r, 1); Pop(i64); Pop(i32); return;
                case 0x3E: MemArg(ref r, 2); Pop(i64); Pop(i32); return;
                case 0x3F: // memory.size
                    ZeroByte(ref r);
                    CheckMemory(0);
                    Push(i32);
                    return;
                case 0x40: // memory.grow
                    ZeroByte(ref r);
                    CheckMemory(0);
                    Pop(i32);
                    Push(i32);
                    return;
                case 0x41: r.ReadVarS32(); Push(i32); return;
                case 0x42: r.ReadVarS64(); Push(i64); return;
                case 0x43: r.ReadF32Bits(); Push(f32); return;
                case 0x44: r.ReadF64Bits(); Push(f64); return;
                case 0xD0: // ref.null
                    Push(ModuleReader.ReadReferenceType(ref r));
                    Features |= WasmFeatures.ReferenceTypes;
                    return;
                case 0xD1: // ref.is_null
                {
                    var t = Pop();
                    if (t != Unknown && !t.IsReference()) throw Invalid("type mismatch");
                    Push(i32);
                    Features |= WasmFeatures.ReferenceTypes;
                    return;
                }
                case 0xD2: // ref.func
                {
                    uint f = r.ReadVarU32();
                    if (f >= (uint)_funcTypes.Length) throw Invalid($"unknown function {f}");
                    if (!_refs[f]) throw Invalid("undeclared function reference");
                    Push(ValueType.FuncRef);
                    Features |= WasmFeatures.ReferenceTypes;
                    return;
                }
                case 0xFC:
                    PrefixedFC(ref r);
                    return;
                case 0xFD:
                    PrefixedFD(ref r);
                    return;
                default:
                    throw Malformed("illegal opcode");
            }
        }

        /// <summary>br_table: the operands for <paramref name="types"/> must be on the stack; they stay there.</summary>
        private void CheckKeep(ValueType[] types)
        {
            int n = types.Length;
            if (_scratch.Length < n) _scratch = new ValueType[Math.Max(n, _scratch.Length * 2)];
            for (int i = n - 1; i >= 0; i--) _scratch[i] = Pop(types[i]);
            for (int i = 0; i < n; i++) Push(_scratch[i]);
        }

        private ValueType Local(uint localidx)
        {
            if (localidx >= (uint)_localCount) throw Invalid($"unknown local {localidx}");
            return _locals[localidx];
        }

        private GlobalType GlobalAt(uint globalidx)
        {
            if (globalidx >= (uint)_globals.Length) throw Invalid($"unknown global {globalidx}");
            return _globals[globalidx];
        }

        /// <summary>
        /// The number of data segments that <c>memory.init</c>/<c>data.drop</c> may name. The binary format
        /// requires the data count section when code uses data indices; when the module has no data
        /// segment at all the index is reported as invalid ("unknown data segment") rather than malformed,
        /// which is how text-format tests converted by tools that omit an empty data count section read.
        /// </summary>
        private uint DataCountForCode()
        {
            if (_module.DataCount is { } count) return count;
            if (_module.Datas.Count == 0) return 0;
            throw Malformed("data count section required");
        }

        private void PrefixedFC(ref WasmReader r)
        {
            const ValueType i32 = ValueType.I32, i64 = ValueType.I64, f32 = ValueType.F32, f64 = ValueType.F64;
            uint sub = r.ReadVarU32();
            switch (sub)
            {
                case 0: case 1: Pop(f32); Push(i32); break;
                case 2: case 3: Pop(f64); Push(i32); break;
                case 4: case 5: Pop(f32); Push(i64); break;
                case 6: case 7: Pop(f64); Push(i64); break;
                case 8: // memory.init
                {
                    uint d = r.ReadVarU32();
                    ZeroByte(ref r);
                    uint count = DataCountForCode();
                    CheckMemory(0);
                    if (d >= count) throw Invalid($"unknown data segment {d}");
                    Pop(i32); Pop(i32); Pop(i32);
                    break;
                }
                case 9: // data.drop
                {
                    uint d = r.ReadVarU32();
                    uint count = DataCountForCode();
                    if (d >= count) throw Invalid($"unknown data segment {d}");
                    break;
                }
                case 10: // memory.copy
                    ZeroByte(ref r);
                    ZeroByte(ref r);
                    CheckMemory(0);
                    Pop(i32); Pop(i32); Pop(i32);
                    break;
                case 11: // memory.fill
                    ZeroByte(ref r);
                    CheckMemory(0);
                    Pop(i32); Pop(i32); Pop(i32);
                    break;
                case 12: // table.init elemidx tableidx
                {
                    uint e = r.ReadVarU32();
                    var table = Table(r.ReadVarU32());
                    if (e >= (uint)_elemTypes.Length) throw Invalid($"unknown elem segment {e}");
                    if (_elemTypes[e] != table.ElementType) throw Invalid("type mismatch");
                    Pop(i32); Pop(i32); Pop(i32);
                    break;
                }
                case 13: // elem.drop
                {
                    uint e = r.ReadVarU32();
                    if (e >= (uint)_elemTypes.Length) throw Invalid($"unknown elem segment {e}");
                    break;
                }
                case 14: // table.copy dst src
                {
                    uint dstIdx = r.ReadVarU32();
                    uint srcIdx = r.ReadVarU32();
                    var dst = Table(dstIdx);
                    var src = Table(srcIdx);
                    if (dstIdx != 0 || srcIdx != 0) Features |= WasmFeatures.ReferenceTypes;
                    if (src.ElementType != dst.ElementType) throw Invalid("type mismatch");
                    Pop(i32); Pop(i32); Pop(i32);
                    break;
                }
                case 15: // table.grow
                {
                    var table = Table(r.ReadVarU32());
                    Pop(i32);
                    Pop(table.ElementType);
                    Push(i32);
                    break;
                }
                case 16: // table.size
                    Table(r.ReadVarU32());
                    Push(i32);
                    break;
                case 17: // table.fill
                {
                    var table = Table(r.ReadVarU32());
                    Pop(i32);
                    Pop(table.ElementType);
                    Pop(i32);
                    break;
                }
                default:
                    throw Malformed("illegal opcode");
            }
            Features |= sub switch
            {
                <= 7 => WasmFeatures.SaturatingConversions,
                <= 14 => WasmFeatures.BulkMemory,
                _ => WasmFeatures.ReferenceTypes,
            };
        }

        private void PrefixedFD(ref WasmReader r)
        {
            const ValueType i32 = ValueType.I32, v128 = ValueType.V128;
            uint sub = r.ReadVarU32();
            if (!SimdOpcodes.Exists(sub)) throw Malformed("illegal opcode");
            Features |= WasmFeatures.Simd;
            switch (SimdOpcodes.KindOf(sub))
            {
                case SimdKind.Load:
                    MemArg(ref r, SimdOpcodes.NaturalAlignment(sub));
                    Pop(i32);
                    Push(v128);
                    return;
                case SimdKind.Store:
                    MemArg(ref r, SimdOpcodes.NaturalAlignment(sub));
                    Pop(v128);
                    Pop(i32);
                    return;
                case SimdKind.Const:
                    r.Skip(16);
                    Push(v128);
                    return;
                case SimdKind.Shuffle:
                {
                    var lanes = r.ReadBytes(16);
                    foreach (byte lane in lanes)
                        if (lane >= 32) throw Invalid("invalid lane index");
                    Pop(v128);
                    Pop(v128);
                    Push(v128);
                    return;
                }
                case SimdKind.Splat:
                    Pop(SimdOpcodes.LaneScalar(sub));
                    Push(v128);
                    return;
                case SimdKind.Lane:
                {
                    byte lane = r.ReadByte();
                    if (lane >= SimdOpcodes.LaneCount(sub)) throw Invalid("invalid lane index");
                    var scalar = SimdOpcodes.LaneScalar(sub);
                    if (SimdOpcodes.IsReplaceLane(sub))
                    {
                        Pop(scalar);
                        Pop(v128);
                        Push(v128);
                    }
                    else
                    {
                        Pop(v128);
                        Push(scalar);
                    }
                    return;
                }
                case SimdKind.Test:
                    Pop(v128);
                    Push(i32);
                    return;
                case SimdKind.Shift:
                    Pop(i32);
                    Pop(v128);
                    Push(v128);
                    return;
                case SimdKind.Ternary:
                    Pop(v128);
                    Pop(v128);
                    Pop(v128);
                    Push(v128);
                    return;
                case SimdKind.LoadLane:
                case SimdKind.StoreLane:
                {
                    MemArg(ref r, SimdOpcodes.NaturalAlignment(sub));
                    byte lane = r.ReadByte();
                    if (lane >= SimdOpcodes.LaneCount(sub)) throw Invalid("invalid lane index");
                    Pop(v128);
                    Pop(i32);
                    if (SimdOpcodes.KindOf(sub) == SimdKind.LoadLane) Push(v128);
                    return;
                }
                case SimdKind.Binary:
                    Pop(v128);
                    Pop(v128);
                    Push(v128);
                    return;
                case SimdKind.Unary:
                    Pop(v128);
                    Push(v128);
                    return;
                default:
                    throw Malformed("illegal opcode");
            }
        }
    }
}
