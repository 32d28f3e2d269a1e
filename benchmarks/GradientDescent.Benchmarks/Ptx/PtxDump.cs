using System.Globalization;

namespace GradientDescent.Benchmarks.Ptx;

/// <summary>
/// The <c>ptx</c> mode: writes the PTX of every kernel in <see cref="KernelCatalog"/> as the CUDA accelerator
/// would compile it (sm_80, O2, algorithms enabled), one <c>Type.Method.ptx</c> file per kernel, so a GPU-less
/// machine can assemble them for a real GPU (<c>.ci/ptx-check.sh</c>) and read registers, spills and SASS.
/// </summary>
public static class PtxDump
{
    /// <summary>Runs <c>ptx --out DIR [--filter TEXT]</c>; the filter keeps kernels whose name contains TEXT.</summary>
    public static int Run(string[] args)
    {
        string? dir = CommandLine.Option(args, "--out");
        if (dir is null)
        {
            Console.Error.WriteLine("usage: ptx --out DIR [--filter TEXT]");
            return 2;
        }

        string? filter = CommandLine.Option(args, "--filter");
        Directory.CreateDirectory(dir);
        using var context = KernelCatalog.CreateCompileContext();
        int written = 0;
        foreach (var kernel in KernelCatalog.Kernels)
        {
            string name = KernelCatalog.NameOf(kernel);
            if (filter is not null && !name.Contains(filter, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var (ptx, entry) = KernelCatalog.CompilePtx(context, kernel);
            File.WriteAllText(Path.Combine(dir, name + ".ptx"), ptx);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}.ptx  entry {entry}, {ptx.Length} chars"));
            written++;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{written} kernels written to {Path.GetFullPath(dir)}"));
        return written > 0 ? 0 : 1;
    }
}
