using Polymath.Sdk;

namespace Polymath.Conformance.Tests;

public sealed class TrapExpectationTests
{
    [Theory]
    [InlineData("unreachable", TrapKind.Unreachable)]
    [InlineData("out of bounds memory access", TrapKind.MemoryOutOfBounds)]
    [InlineData("out of bounds table access", TrapKind.TableOutOfBounds)]
    [InlineData("integer overflow", TrapKind.IntegerOverflow)]
    [InlineData("integer divide by zero", TrapKind.IntegerDivideByZero)]
    [InlineData("invalid conversion to integer", TrapKind.InvalidConversionToInteger)]
    [InlineData("indirect call type mismatch", TrapKind.IndirectCallTypeMismatch)]
    [InlineData("undefined element", TrapKind.UndefinedElement)]
    [InlineData("uninitialized element", TrapKind.UninitializedElement)]
    [InlineData("uninitialized element 2", TrapKind.UninitializedElement)]
    [InlineData("call stack exhausted", TrapKind.CallStackExhausted)]
    public void Suite_texts_map_to_kinds(string text, TrapKind kind)
    {
        Assert.Equal(kind, TrapExpectation.KindOf(text));
        Assert.True(TrapExpectation.IsSatisfiedBy(text, kind));
    }

    [Fact]
    public void Wrong_kinds_do_not_satisfy()
    {
        Assert.False(TrapExpectation.IsSatisfiedBy("integer divide by zero", TrapKind.IntegerOverflow));
        Assert.False(TrapExpectation.IsSatisfiedBy("uninitialized element", TrapKind.UndefinedElement));
        Assert.False(TrapExpectation.IsSatisfiedBy("out of bounds table access", TrapKind.MemoryOutOfBounds));
        Assert.False(TrapExpectation.IsSatisfiedBy("unreachable", TrapKind.HostError));
    }

    [Fact]
    public void Undefined_element_accepts_a_table_bounds_trap_but_not_the_reverse()
    {
        Assert.True(TrapExpectation.IsSatisfiedBy("undefined element", TrapKind.TableOutOfBounds));
        Assert.False(TrapExpectation.IsSatisfiedBy("out of bounds table access", TrapKind.UndefinedElement));
    }

    [Fact]
    public void Unknown_texts_accept_spec_traps_only()
    {
        Assert.Null(TrapExpectation.KindOf("something new"));
        Assert.True(TrapExpectation.IsSatisfiedBy("something new", TrapKind.Unreachable));
        Assert.False(TrapExpectation.IsSatisfiedBy("something new", TrapKind.OutOfFuel));
        Assert.False(TrapExpectation.IsSatisfiedBy("something new", TrapKind.HostError));
    }
}
