using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// The training loop off the happy path: a diverging run stops with the epoch and step named, a cancelled
/// run keeps what it finished, the learning rate can change during training, and an optimiser can be given.
/// </summary>
[TestFixtureSource(typeof(TestDevices), nameof(TestDevices.UnderTest))]
public sealed class TrainerControlTests(DeviceUnderTest deviceUnderTest) : DeviceFixture(deviceUnderTest)
{
    private static readonly Lazy<MnistData> s_digits = new(() => Mnist10k.Read().Slice(0, 200));

    [Test]
    public void AHugeLearningRate_StopsWithTheEpochAndStepNamed()
    {
        using var data = s_digits.Value.ToDevice(Device);
        using var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Hidden = 16, Seed = 1 });
        var trainer = new Trainer(net, new TrainerOptions { Epochs = 3, BatchSize = 50, LearningRate = 1e30f });

        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(data.Images, data.Labels));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(e!.Epoch, Is.EqualTo(1));
            Assert.That(e.Step, Is.InRange(2, 4), "the first step's loss is finite; the update after it explodes");
            Assert.That(float.IsFinite(e.Loss), Is.False);
            Assert.That(e.Message, Does.Contain($"step {e.Step} of 4 in epoch 1").And.Contain("1E+30"));
            Assert.That(trainer.History, Is.Empty);
        }
    }

    [Test]
    public void ACancelledRun_KeepsTheEpochsItFinished()
    {
        using var data = s_digits.Value.ToDevice(Device);
        using var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Hidden = 8, Seed = 2 });
        using var cancel = new CancellationTokenSource();
        var trainer = new Trainer(net, new TrainerOptions { Epochs = 5, BatchSize = 100, EvaluateTrainAccuracy = false });
        var progress = new Callback(p =>
        {
            if (p.Completed is { Epoch: 2 })
            {
                cancel.Cancel();
            }
        });

        Assert.Throws<OperationCanceledException>(() => trainer.Fit(data.Images, data.Labels, progress: progress, cancellationToken: cancel.Token));

        Assert.That(trainer.History.Select(r => r.Epoch), Is.EqualTo(new[] { 1, 2 }));
    }

    [Test]
    public void ALearningRateSchedule_SetsTheRateOfEachEpoch()
    {
        using var data = s_digits.Value.ToDevice(Device);
        using var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Hidden = 8, Seed = 3 });
        var rates = new List<float>();
        var trainer = new Trainer(net, new TrainerOptions
        {
            Epochs = 3, BatchSize = 100, EvaluateTrainAccuracy = false, LearningRateSchedule = epoch => 0.4f / epoch,
        });
        var progress = new Callback(p =>
        {
            if (p.Step == 1 && p.Completed is null)
            {
                rates.Add(trainer.Optimizer.LearningRate);
            }
        });

        trainer.Fit(data.Images, data.Labels, progress: progress);

        Assert.That(rates, Is.EqualTo(new[] { 0.4f, 0.2f, 0.4f / 3 }));
    }

    [Test]
    public void AScheduleGivingABadRate_IsRefused_NamingTheEpoch()
    {
        using var data = s_digits.Value.ToDevice(Device);
        using var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Hidden = 8 });
        var trainer = new Trainer(net, new TrainerOptions { Epochs = 3, LearningRateSchedule = epoch => epoch == 2 ? -1f : 0.1f });

        Assert.That(() => trainer.Fit(data.Images, data.Labels),
            Throws.InvalidOperationException.With.Message.Contains("-1 for epoch 2"));
        Assert.That(trainer.History, Has.Count.EqualTo(1));
    }

    [Test]
    public void AGivenOptimiser_IsTheOneThatSteps()
    {
        using var data = s_digits.Value.ToDevice(Device);
        using var plainNet = new TwoLayerNet(Device, new TwoLayerNetOptions { Hidden = 8, Seed = 4 });
        using var momentumNet = new TwoLayerNet(Device, new TwoLayerNetOptions { Hidden = 8, Seed = 4 });
        using var momentum = new SgdStep(0.1f, momentum: 0.9f);
        var options = new TrainerOptions { Epochs = 2, BatchSize = 50, LearningRate = 0.1f, Shuffle = false, EvaluateTrainAccuracy = false };

        var plain = new Trainer(plainNet, options).Fit(data.Images, data.Labels);
        var withMomentum = new Trainer(momentumNet, options, momentum).Fit(data.Images, data.Labels);

        Assert.That(withMomentum[1].MeanLoss, Is.Not.EqualTo(plain[1].MeanLoss), "momentum changes the second epoch");
    }

    private sealed class Callback(Action<TrainingProgress> action) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => action(value);
    }
}
