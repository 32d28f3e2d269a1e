using System.CommandLine;
using GradientDescent.Samples.MnistSample;

// On Ctrl+C training stops at the next step, then saves what it has: allow time for that.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) };
return await MnistCommands.Build().Parse(args).InvokeAsync(invocation).ConfigureAwait(false);
