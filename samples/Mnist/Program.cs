using GradientDescent.Samples.MnistSample;

return await MnistCommands.Build().Parse(args).InvokeAsync().ConfigureAwait(false);
