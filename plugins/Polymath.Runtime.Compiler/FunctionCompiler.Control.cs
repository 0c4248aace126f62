using System.Reflection.Emit;
using Polymath.Sdk;
using Polymath.Wasm;

namespace Polymath.Runtime.Compiler;

/// <summary>
/// Control instructions: blocks, loops and ifs are CIL labels (a <see cref="Control"/> each); a branch leaves the
/// values its label carries on top of the label's height and jumps; calls are in FunctionCompiler.Ops.cs.
/// </summary>
internal sealed partial class FunctionCompiler
{
    private void TranslateControl(in Instruction ins)
    {
        switch (ins.Op)
        {
            case Opcode.Unreachable:
                Trap(TrapKind.Unreachable);
                _controls[^1].Unreachable = true;
                return;
            case Opcode.Nop:
                return;
            case Opcode.Block:
            case Opcode.Loop:
            case Opcode.If:
                EmitBlock(ins);
                return;
            case Opcode.Else:
                Else(_controls[^1]);
                return;
            case Opcode.End:
                End(_controls[^1]);
                return;
            case Opcode.Br:
                Branch(_controls[^(1 + (int)ins.A)]);
                _controls[^1].Unreachable = true;
                return;
            case Opcode.BrIf:
                EmitBrIf(ins.A);
                return;
            case Opcode.BrTable:
                EmitBrTable(ins.Labels!);
                return;
            case Opcode.Return:
                Branch(_controls[0]);
                _controls[^1].Unreachable = true;
                return;
            case Opcode.Call:
                EmitCall(ins.A);
                return;
            case Opcode.CallIndirect:
                EmitCallIndirect(ins.A, ins.B);
                return;
        }
        throw Unhandled(ins.Op);
    }

    /// <summary>block, loop or if with its blocktype: a new <see cref="Control"/> (an if first pops its condition).</summary>
    private void EmitBlock(in Instruction ins)
    {
        var il = _il;
        var (ps, rs) = BlockSignature(ins);
        if (ins.Op == Opcode.If)
        {
            Pop();
        }
        var c = new Control { Kind = ins.Op, Label = il.DefineLabel(), Params = ps, Results = rs, Height = _stack.Count - ps.Length };
        // A loop header is reached again by its back-edges, with values its body set: only what was proven on
        // the locals the body never sets still holds there. Not its parameters either: on a back-edge they are
        // the values the branch carried, not the ones pushed here.
        if (ins.Op == Opcode.Loop)
        {
            _proven = LoopInvariant(_loopWrites[_loopOrdinal]);
            for (int h = c.Height; h < _stack.Count; h++) SetOrigin(h, 0);
        }
        else c.Proven = new Dictionary<int, long>(_proven);
        if (ins.Op == Opcode.If)
        {
            c.Else = il.DefineLabel();
            il.Emit(OpCodes.Brfalse, c.Else);
        }
        else if (ins.Op == Opcode.Loop)
        {
            il.Mark(c.Label);
            Charge(_loopCosts[_loopOrdinal++]);
        }
        _controls.Add(c);
    }

    /// <summary>br_if labelidx: a conditional branch, through a skip over the adjustment when the label's values need one.</summary>
    private void EmitBrIf(uint labelidx)
    {
        var il = _il;
        Pop();
        var target = _controls[^(1 + (int)labelidx)];
        if (!NeedsAdjust(target))
        {
            target.Targeted = true;
            il.Emit(OpCodes.Brtrue, target.Label);
        }
        else
        {
            var skip = il.DefineLabel();
            il.Emit(OpCodes.Brfalse, skip);
            Branch(target);
            il.Mark(skip);
        }
    }

    /// <summary>br_table labelidx* labelidx (the default last): a CIL switch, through a stub for each label whose values need adjusting.</summary>
    private void EmitBrTable(uint[] labels)
    {
        var il = _il;
        Pop();
        int n = labels.Length - 1;
        var targets = new Label[n];
        var stubs = new List<(Label, Control)>();
        for (int i = 0; i < n; i++)
        {
            var t = _controls[^(1 + (int)labels[i])];
            if (NeedsAdjust(t))
            {
                var stub = il.DefineLabel();
                stubs.Add((stub, t));
                targets[i] = stub;
            }
            else
            {
                t.Targeted = true;
                targets[i] = t.Label;
            }
        }
        if (n > 0) il.Emit(OpCodes.Switch, targets);
        else il.Emit(OpCodes.Pop);
        Branch(_controls[^(1 + (int)labels[n])]);
        foreach (var (stub, t) in stubs)
        {
            il.Mark(stub);
            Branch(t);
        }
        _controls[^1].Unreachable = true;
    }

    private void Else(Control c)
    {
        if (!c.Unreachable)
        {
            _il.Emit(OpCodes.Br, c.Label);
            c.Targeted = true;
        }
        _il.Mark(c.Else);
        c.HasElse = true;
        c.Unreachable = false;
        _stack.RemoveRange(c.Height, _stack.Count - c.Height);
        PushTypes(c.Params);
        _proven = new Dictionary<int, long>(c.Proven!);
    }

    private void End(Control c)
    {
        bool fallthrough = !c.Unreachable;
        _controls.RemoveAt(_controls.Count - 1);
        _stack.RemoveRange(c.Height, _stack.Count - c.Height);
        PushTypes(c.Results);
        // A loop's end is reached only by falling out of its body; a block's or if's end also from branches and the
        // other arm: only what held at entry holds there.
        if (c.Proven is not null) _proven = c.Proven;
        bool reachable;
        if (c.Kind == Opcode.Loop)
        {
            reachable = fallthrough;
        }
        else if (c.Kind == Opcode.If && !c.HasElse)
        {
            _il.Mark(c.Else);
            _il.Mark(c.Label);
            reachable = true;
        }
        else
        {
            reachable = fallthrough || c.Targeted;
            if (reachable) _il.Mark(c.Label);
        }
        if (_controls.Count == 0)
        {
            if (reachable) Epilogue();
            return;
        }
        _controls[^1].Unreachable = !reachable;
    }

    /// <summary>Leaves the values a branch to <paramref name="target"/> carries on top of the target's height, then branches.</summary>
    private void Branch(Control target)
    {
        target.Targeted = true;
        var types = target.BranchTypes;
        int n = types.Length;
        int extras = _stack.Count - n - target.Height;
        if (extras > 0)
        {
            for (int k = n - 1; k >= 0; k--) _il.Emit(OpCodes.Stloc, Temp(0, types[k], k));
            for (int i = 0; i < extras; i++) _il.Emit(OpCodes.Pop);
            for (int k = 0; k < n; k++) _il.Emit(OpCodes.Ldloc, Temp(0, types[k], k));
        }
        _il.Emit(OpCodes.Br, target.Label);
    }

    private bool NeedsAdjust(Control target) => _stack.Count - target.BranchTypes.Length - target.Height > 0;
}
