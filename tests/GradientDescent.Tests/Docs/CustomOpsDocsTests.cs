using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// The C# in docs/custom-ops.md is compiled: it is the CustomKernel sample (built and run by CI, its op and
/// net compiled into this assembly) or the NUnit test of "Testing your gradients", which runs here.
/// </summary>
[TestFixture]
public sealed class CustomOpsDocsTests
{
    [Test]
    public void EveryCodeBlock_IsCompiled() => DocumentedCode.AssertEveryBlockIsCompiled("docs/custom-ops.md", 6,
        "samples/CustomKernel/LeakyRelu.cs",
        "samples/CustomKernel/LeakyReluNet.cs",
        "samples/CustomKernel/Program.cs",
        "tests/GradientDescent.Tests/Docs/TestingYourGradientsExample.cs");
}
