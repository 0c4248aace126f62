namespace Polymath.Wasm;

/// <summary>The forms a WebAssembly 2.0 constant expression can take (one instruction then <c>end</c>).</summary>
public enum ConstantKind : byte
{
    /// <summary><c>i32.const</c>, <c>i64.const</c>, <c>f32.const</c>, <c>f64.const</c>: the value's bits are in <see cref="ConstantExpression.Bits"/>.</summary>
    Const,
    /// <summary><c>ref.null t</c>.</summary>
    RefNull,
    /// <summary><c>ref.func x</c>: funcidx in <see cref="ConstantExpression.Index"/>.</summary>
    RefFunc,
    /// <summary><c>global.get x</c>: globalidx in <see cref="ConstantExpression.Index"/>.</summary>
    GlobalGet,
}
