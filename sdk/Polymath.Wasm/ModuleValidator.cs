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
/// The SIMD instructions are validated too (and set <see cref="WasmFeatures.Simd"/>). Each validation adds one to
/// the <c>polymath.wasm.modules.validated</c> counter of the <c>Polymath.Wasm</c> meter.
/// </remarks>
public static class ModuleValidator
{
    /// <summary>Validates <paramref name="module"/> and sets its <see cref="Module.Features"/>.</summary>
    /// <exception cref="WasmModuleException">The module is invalid (or, for code the reader only delimited, malformed).</exception>
    public static void Validate(Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        WasmMetrics.ModulesValidated.Add(1);
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
        public Opcode Opcode;
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
        private int _maxVh;
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
            void U(Opcode from, Opcode to, byte i, byte o) { for (int k = (int)from; k <= (int)to; k++) { UnaryIn[k] = i; UnaryOut[k] = o; } }
            void B(Opcode from, Opcode to, byte i, byte o) { for (int k = (int)from; k <= (int)to; k++) { BinaryIn[k] = i; BinaryOut[k] = o; } }
            U(Opcode.I32Eqz, Opcode.I32Eqz, i32, i32); B(Opcode.I32Eq, Opcode.I32GeU, i32, i32);
            U(Opcode.I64Eqz, Opcode.I64Eqz, i64, i32); B(Opcode.I64Eq, Opcode.I64GeU, i64, i32);
            B(Opcode.F32Eq, Opcode.F32Ge, f32, i32); B(Opcode.F64Eq, Opcode.F64Ge, f64, i32);
            U(Opcode.I32Clz, Opcode.I32Popcnt, i32, i32); B(Opcode.I32Add, Opcode.I32Rotr, i32, i32);
            U(Opcode.I64Clz, Opcode.I64Popcnt, i64, i64); B(Opcode.I64Add, Opcode.I64Rotr, i64, i64);
            U(Opcode.F32Abs, Opcode.F32Sqrt, f32, f32); B(Opcode.F32Add, Opcode.F32Copysign, f32, f32);
            U(Opcode.F64Abs, Opcode.F64Sqrt, f64, f64); B(Opcode.F64Add, Opcode.F64Copysign, f64, f64);
            U(Opcode.I32WrapI64, Opcode.I32WrapI64, i64, i32);
            U(Opcode.I32TruncF32S, Opcode.I32TruncF32U, f32, i32); U(Opcode.I32TruncF64S, Opcode.I32TruncF64U, f64, i32);
            U(Opcode.I64ExtendI32S, Opcode.I64ExtendI32U, i32, i64);
            U(Opcode.I64TruncF32S, Opcode.I64TruncF32U, f32, i64); U(Opcode.I64TruncF64S, Opcode.I64TruncF64U, f64, i64);
            U(Opcode.F32ConvertI32S, Opcode.F32ConvertI32U, i32, f32); U(Opcode.F32ConvertI64S, Opcode.F32ConvertI64U, i64, f32);
            U(Opcode.F32DemoteF64, Opcode.F32DemoteF64, f64, f32);
            U(Opcode.F64ConvertI32S, Opcode.F64ConvertI32U, i32, f64); U(Opcode.F64ConvertI64S, Opcode.F64ConvertI64U, i64, f64);
            U(Opcode.F64PromoteF32, Opcode.F64PromoteF32, f32, f64);
            U(Opcode.I32ReinterpretF32, Opcode.I32ReinterpretF32, f32, i32); U(Opcode.I64ReinterpretF64, Opcode.I64ReinterpretF64, f64, i64);
            U(Opcode.F32ReinterpretI32, Opcode.F32ReinterpretI32, i32, f32); U(Opcode.F64ReinterpretI64, Opcode.F64ReinterpretI64, i64, f64);
            U(Opcode.I32Extend8S, Opcode.I32Extend16S, i32, i32); U(Opcode.I64Extend8S, Opcode.I64Extend32S, i64, i64);
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
            if (_vh > _maxVh) _maxVh = _vh;
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

        private void PushCtrl(Opcode opcode, ValueType[] parameters, ValueType[] results)
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

        private static ValueType[] LabelTypes(in Frame frame) => frame.Opcode == Opcode.Loop ? frame.Params : frame.Results;

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
            _maxVh = 0;
            _ch = 0;
            int instructions = 0;
            PushCtrl(Opcode.Block, [], type.Results);

            var r = new InstructionReader(new WasmReader(body.Code.Span, body.CodeOffset, "unexpected end of section or function"));
            try
            {
                while (true)
                {
                    _opOffset = r.Offset;
                    if (r.IsAtEnd) throw Malformed("unexpected end of section or function");
                    var op = r.ReadOpcode();
                    instructions++;
                    if (op == Opcode.End)
                    {
                        var frame = PopCtrl();
                        if (frame.Opcode == Opcode.If)
                        {
                            // if without else: the empty else branch must turn the params into the results.
                            PushCtrl(Opcode.Else, frame.Params, frame.Results);
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
                            body.MaxOperandHeight = _maxVh;
                            body.InstructionCount = instructions;
                            return;
                        }
                        continue;
                    }
                    Instruction(ref r, op);
                }
            }
            catch (WasmModuleException e) when (e.FunctionIndex is null)
            {
                // an immediate the reader could not decode: name the function
                throw new WasmModuleException(e.Kind, e.Reason, e.Offset, funcidx);
            }
        }

        private void ReadBlockType(ref InstructionReader r, out ValueType[] parameters, out ValueType[] results)
        {
            var blockType = r.ReadBlockType();
            switch (blockType.Kind)
            {
                case BlockTypeKind.Empty:
                    parameters = [];
                    results = [];
                    return;
                case BlockTypeKind.Value:
                    parameters = [];
                    results = Single[(byte)blockType.Result];
                    return;
            }
            uint typeidx = blockType.TypeIndex;
            if (typeidx >= (uint)_types.Length) throw Invalid($"unknown type {typeidx}");
            var type = _types[typeidx];
            if (type.Parameters.Length > 0 || type.Results.Length > 1) Features |= WasmFeatures.MultiValue;
            parameters = type.Parameters;
            results = type.Results;
        }

        private void CheckMemory(uint memidx)
        {
            if (memidx >= (uint)_memories.Length) throw Invalid($"unknown memory {memidx}");
        }

        /// <summary>Reads a memarg and checks it against the memory and the <paramref name="naturalAlignment"/> (log2 of the access size).</summary>
        private void MemArg(ref InstructionReader r, int naturalAlignment)
        {
            var memarg = r.ReadMemArg();
            CheckMemory(0);
            if (memarg.Align > (uint)naturalAlignment) throw Invalid("alignment must not be larger than natural");
        }

        private TableType Table(uint tableidx)
        {
            if (tableidx >= (uint)_tables.Length) throw Invalid($"unknown table {tableidx}");
            return _tables[tableidx];
        }

        private void Instruction(ref InstructionReader r, Opcode op)
        {
            byte uin = UnaryIn[(byte)op];
            if (uin != 0)
            {
                Pop((ValueType)uin);
                Push((ValueType)UnaryOut[(byte)op]);
                if (op >= Opcode.I32Extend8S) Features |= WasmFeatures.SignExtension;
                return;
            }
            byte bin = BinaryIn[(byte)op];
            if (bin != 0)
            {
                Pop((ValueType)bin);
                Pop((ValueType)bin);
                Push((ValueType)BinaryOut[(byte)op]);
                return;
            }

            // Each step's own switch refuses an opcode in a gap of its range as an illegal opcode.
            switch (op)
            {
                case <= Opcode.CallIndirect:
                    ControlInstruction(ref r, op);
                    return;
                case >= Opcode.Drop and <= Opcode.GlobalSet:
                    VariableInstruction(ref r, op);
                    return;
                case >= Opcode.I32Load and <= Opcode.MemoryGrow:
                    MemoryInstruction(ref r, op);
                    return;
                case >= Opcode.I32Const and <= Opcode.F64Const:
                    ConstantInstruction(ref r, op);
                    return;
                case Opcode.TableGet or Opcode.TableSet or (>= Opcode.RefNull and <= Opcode.RefFunc):
                    ReferenceInstruction(ref r, op);
                    return;
                case Opcode.Prefix0xFC:
                    PrefixedFC(ref r);
                    return;
                case Opcode.Prefix0xFD:
                    PrefixedFD(ref r);
                    return;
                default:
                    throw Malformed("illegal opcode");
            }
        }

        /// <summary>Blocks, branches and calls: the control stack and the function types.</summary>
        private void ControlInstruction(ref InstructionReader r, Opcode op)
        {
            const ValueType i32 = ValueType.I32;

            switch (op)
            {
                case Opcode.Unreachable:
                    SetUnreachable();
                    return;
                case Opcode.Nop:
                    return;
                case Opcode.Block:
                case Opcode.Loop:
                {
                    ReadBlockType(ref r, out var ps, out var rs);
                    PopValues(ps);
                    PushCtrl(op, ps, rs);
                    return;
                }
                case Opcode.If:
                {
                    ReadBlockType(ref r, out var ps, out var rs);
                    Pop(i32);
                    PopValues(ps);
                    PushCtrl(op, ps, rs);
                    return;
                }
                case Opcode.Else:
                {
                    if (_ctrls[_ch - 1].Opcode != Opcode.If) throw Malformed("END opcode expected");
                    var frame = PopCtrl();
                    PushCtrl(Opcode.Else, frame.Params, frame.Results);
                    return;
                }
                case Opcode.Br:
                    PopValues(LabelTypes(Label(r.ReadLabelIndex())));
                    SetUnreachable();
                    return;
                case Opcode.BrIf:
                {
                    var types = LabelTypes(Label(r.ReadLabelIndex()));
                    Pop(i32);
                    PopValues(types);
                    PushValues(types);
                    return;
                }
                case Opcode.BrTable:
                {
                    var table = r.ReadBranchTable();
                    var defaultTypes = LabelTypes(Label(table.Default));
                    Pop(i32);
                    int arity = defaultTypes.Length;
                    foreach (uint labelidx in table)
                    {
                        var types = LabelTypes(Label(labelidx));
                        if (types.Length != arity) throw Invalid("type mismatch");
                        CheckKeep(types);
                    }
                    PopValues(defaultTypes);
                    SetUnreachable();
                    return;
                }
                case Opcode.Return:
                    PopValues(_ctrls[0].Results);
                    SetUnreachable();
                    return;
                case Opcode.Call:
                {
                    uint funcidx = r.ReadFunctionIndex();
                    if (funcidx >= (uint)_funcTypes.Length) throw Invalid($"unknown function {funcidx}");
                    var type = _funcTypes[funcidx];
                    PopValues(type.Parameters);
                    PushValues(type.Results);
                    return;
                }
                case Opcode.CallIndirect:
                {
                    r.ReadCallIndirect(out uint typeidx, out uint tableidx);
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
                default:
                    throw Malformed("illegal opcode");
            }
        }

        /// <summary>drop, select, locals and globals.</summary>
        private void VariableInstruction(ref InstructionReader r, Opcode op)
        {
            const ValueType i32 = ValueType.I32, v128 = ValueType.V128;

            switch (op)
            {
                case Opcode.Drop:
                    Pop();
                    return;
                case Opcode.Select:
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
                case Opcode.SelectT:
                {
                    var types = r.ReadSelectTypes();
                    if (types.Length != 1) throw Invalid("invalid result arity");
                    var t = types[0];
                    Features |= WasmFeatures.ReferenceTypes;
                    Pop(i32);
                    Pop(t);
                    Pop(t);
                    Push(t);
                    return;
                }
                case Opcode.LocalGet:
                    Push(Local(r.ReadLocalIndex()));
                    return;
                case Opcode.LocalSet:
                    Pop(Local(r.ReadLocalIndex()));
                    return;
                case Opcode.LocalTee:
                {
                    var t = Local(r.ReadLocalIndex());
                    Pop(t);
                    Push(t);
                    return;
                }
                case Opcode.GlobalGet:
                    Push(GlobalAt(r.ReadGlobalIndex()).ValueType);
                    return;
                case Opcode.GlobalSet:
                {
                    var g = GlobalAt(r.ReadGlobalIndex());
                    if (!g.Mutable) throw Invalid("global is immutable");
                    Pop(g.ValueType);
                    return;
                }
                default:
                    throw Malformed("illegal opcode");
            }
        }

        /// <summary>Loads, stores, memory.size and memory.grow: memarg alignment and the memory index.</summary>
        private void MemoryInstruction(ref InstructionReader r, Opcode op)
        {
            const ValueType i32 = ValueType.I32, i64 = ValueType.I64, f32 = ValueType.F32, f64 = ValueType.F64;

            switch (op)
            {
                case Opcode.I32Load: MemArg(ref r, 2); Pop(i32); Push(i32); return;
                case Opcode.I64Load: MemArg(ref r, 3); Pop(i32); Push(i64); return;
                case Opcode.F32Load: MemArg(ref r, 2); Pop(i32); Push(f32); return;
                case Opcode.F64Load: MemArg(ref r, 3); Pop(i32); Push(f64); return;
                case Opcode.I32Load8S: case Opcode.I32Load8U: MemArg(ref r, 0); Pop(i32); Push(i32); return;
                case Opcode.I32Load16S: case Opcode.I32Load16U: MemArg(ref r, 1); Pop(i32); Push(i32); return;
                case Opcode.I64Load8S: case Opcode.I64Load8U: MemArg(ref r, 0); Pop(i32); Push(i64); return;
                case Opcode.I64Load16S: case Opcode.I64Load16U: MemArg(ref r, 1); Pop(i32); Push(i64); return;
                case Opcode.I64Load32S: case Opcode.I64Load32U: MemArg(ref r, 2); Pop(i32); Push(i64); return;
                case Opcode.I32Store: MemArg(ref r, 2); Pop(i32); Pop(i32); return;
                case Opcode.I64Store: MemArg(ref r, 3); Pop(i64); Pop(i32); return;
                case Opcode.F32Store: MemArg(ref r, 2); Pop(f32); Pop(i32); return;
                case Opcode.F64Store: MemArg(ref r, 3); Pop(f64); Pop(i32); return;
                case Opcode.I32Store8: MemArg(ref r, 0); Pop(i32); Pop(i32); return;
                case Opcode.I32Store16: MemArg(ref r, 1); Pop(i32); Pop(i32); return;
                case Opcode.I64Store8: MemArg(ref r, 0); Pop(i64); Pop(i32); return;
                case Opcode.I64Store16: MemArg(ref r, 1); Pop(i64); Pop(i32); return;
                case Opcode.I64Store32: MemArg(ref r, 2); Pop(i64); Pop(i32); return;
                case Opcode.MemorySize:
                    CheckMemory(r.ReadMemoryIndex());
                    Push(i32);
                    return;
                case Opcode.MemoryGrow:
                    CheckMemory(r.ReadMemoryIndex());
                    Pop(i32);
                    Push(i32);
                    return;
                default:
                    throw Malformed("illegal opcode");
            }
        }

        /// <summary>The numeric constants.</summary>
        private void ConstantInstruction(ref InstructionReader r, Opcode op)
        {
            const ValueType i32 = ValueType.I32, i64 = ValueType.I64, f32 = ValueType.F32, f64 = ValueType.F64;

            switch (op)
            {
                case Opcode.I32Const: r.ReadI32(); Push(i32); return;
                case Opcode.I64Const: r.ReadI64(); Push(i64); return;
                case Opcode.F32Const: r.ReadF32(); Push(f32); return;
                case Opcode.F64Const: r.ReadF64(); Push(f64); return;
                default:
                    throw Malformed("illegal opcode");
            }
        }

        /// <summary>table.get/set and the reference instructions.</summary>
        private void ReferenceInstruction(ref InstructionReader r, Opcode op)
        {
            const ValueType i32 = ValueType.I32;

            switch (op)
            {
                case Opcode.TableGet:
                {
                    var table = Table(r.ReadTableIndex());
                    Features |= WasmFeatures.ReferenceTypes;
                    Pop(i32);
                    Push(table.ElementType);
                    return;
                }
                case Opcode.TableSet:
                {
                    var table = Table(r.ReadTableIndex());
                    Features |= WasmFeatures.ReferenceTypes;
                    Pop(table.ElementType);
                    Pop(i32);
                    return;
                }
                case Opcode.RefNull:
                    Push(r.ReadReferenceType());
                    Features |= WasmFeatures.ReferenceTypes;
                    return;
                case Opcode.RefIsNull:
                {
                    var t = Pop();
                    if (t != Unknown && !t.IsReference()) throw Invalid("type mismatch");
                    Push(i32);
                    Features |= WasmFeatures.ReferenceTypes;
                    return;
                }
                case Opcode.RefFunc:
                {
                    uint funcidx = r.ReadFunctionIndex();
                    if (funcidx >= (uint)_funcTypes.Length) throw Invalid($"unknown function {funcidx}");
                    if (!_refs[funcidx]) throw Invalid("undeclared function reference");
                    Push(ValueType.FuncRef);
                    Features |= WasmFeatures.ReferenceTypes;
                    return;
                }
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

        private void PrefixedFC(ref InstructionReader r)
        {
            const ValueType i32 = ValueType.I32, i64 = ValueType.I64, f32 = ValueType.F32, f64 = ValueType.F64;
            var op = r.ReadPrefixedOpcode();
            switch (op)
            {
                case PrefixedOpcode.I32TruncSatF32S: case PrefixedOpcode.I32TruncSatF32U: Pop(f32); Push(i32); break;
                case PrefixedOpcode.I32TruncSatF64S: case PrefixedOpcode.I32TruncSatF64U: Pop(f64); Push(i32); break;
                case PrefixedOpcode.I64TruncSatF32S: case PrefixedOpcode.I64TruncSatF32U: Pop(f32); Push(i64); break;
                case PrefixedOpcode.I64TruncSatF64S: case PrefixedOpcode.I64TruncSatF64U: Pop(f64); Push(i64); break;
                case PrefixedOpcode.MemoryInit:
                {
                    uint dataidx = r.ReadDataIndex();
                    uint memidx = r.ReadMemoryIndex();
                    uint count = DataCountForCode();
                    CheckMemory(memidx);
                    if (dataidx >= count) throw Invalid($"unknown data segment {dataidx}");
                    Pop(i32); Pop(i32); Pop(i32);
                    break;
                }
                case PrefixedOpcode.DataDrop:
                {
                    uint dataidx = r.ReadDataIndex();
                    uint count = DataCountForCode();
                    if (dataidx >= count) throw Invalid($"unknown data segment {dataidx}");
                    break;
                }
                case PrefixedOpcode.MemoryCopy:
                    r.ReadMemoryIndex();
                    CheckMemory(r.ReadMemoryIndex());
                    Pop(i32); Pop(i32); Pop(i32);
                    break;
                case PrefixedOpcode.MemoryFill:
                    CheckMemory(r.ReadMemoryIndex());
                    Pop(i32); Pop(i32); Pop(i32);
                    break;
                case PrefixedOpcode.TableInit:
                {
                    uint elemidx = r.ReadElementIndex();
                    var table = Table(r.ReadTableIndex());
                    if (elemidx >= (uint)_elemTypes.Length) throw Invalid($"unknown elem segment {elemidx}");
                    if (_elemTypes[elemidx] != table.ElementType) throw Invalid("type mismatch");
                    Pop(i32); Pop(i32); Pop(i32);
                    break;
                }
                case PrefixedOpcode.ElemDrop:
                {
                    uint elemidx = r.ReadElementIndex();
                    if (elemidx >= (uint)_elemTypes.Length) throw Invalid($"unknown elem segment {elemidx}");
                    break;
                }
                case PrefixedOpcode.TableCopy:
                {
                    uint dstIdx = r.ReadTableIndex();
                    uint srcIdx = r.ReadTableIndex();
                    var dst = Table(dstIdx);
                    var src = Table(srcIdx);
                    if (dstIdx != 0 || srcIdx != 0) Features |= WasmFeatures.ReferenceTypes;
                    if (src.ElementType != dst.ElementType) throw Invalid("type mismatch");
                    Pop(i32); Pop(i32); Pop(i32);
                    break;
                }
                case PrefixedOpcode.TableGrow:
                {
                    var table = Table(r.ReadTableIndex());
                    Pop(i32);
                    Pop(table.ElementType);
                    Push(i32);
                    break;
                }
                case PrefixedOpcode.TableSize:
                    Table(r.ReadTableIndex());
                    Push(i32);
                    break;
                case PrefixedOpcode.TableFill:
                {
                    var table = Table(r.ReadTableIndex());
                    Pop(i32);
                    Pop(table.ElementType);
                    Pop(i32);
                    break;
                }
                default:
                    throw Malformed("illegal opcode");
            }
            Features |= op switch
            {
                <= PrefixedOpcode.I64TruncSatF64U => WasmFeatures.SaturatingConversions,
                <= PrefixedOpcode.TableCopy => WasmFeatures.BulkMemory,
                _ => WasmFeatures.ReferenceTypes,
            };
        }

        private void PrefixedFD(ref InstructionReader r)
        {
            const ValueType i32 = ValueType.I32, v128 = ValueType.V128;
            var op = r.ReadSimdOpcode();
            if (!InstructionReader.IsDefined(op)) throw Malformed("illegal opcode");
            uint sub = (uint)op;
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
                    r.ReadV128();
                    Push(v128);
                    return;
                case SimdKind.Shuffle:
                {
                    foreach (byte lane in r.ReadShuffleLanes())
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
                    byte lane = r.ReadLaneIndex();
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
                    byte lane = r.ReadLaneIndex();
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
