using System.CommandLine;
using GradientDescent.Samples.MnistSample;

// A bad command line is one line on stderr and exit code 2, never a stack trace or a page of help.
var parse = MnistCommands.Build().Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors)
    {
        Console.Error.WriteLine($"error: {error.Message}");
    }

    Console.Error.WriteLine("Run with --help for the options.");
    return 2;
}

// On Ctrl+C training stops at the next step, then saves what it has: allow time for that.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) };
return await parse.InvokeAsync(invocation).ConfigureAwait(false);
