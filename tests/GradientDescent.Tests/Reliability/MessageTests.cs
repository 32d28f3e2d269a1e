using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>Errors name the real cause: sizes and devices for memory, the variable for a bad environment, the user's path for files.</summary>
[TestFixture]
[NonParallelizable] // sets an environment variable
public sealed class MessageTests
{
    private string _dir = "";

    private static ComputeDevice Device => TestDevices.Shared;

    [SetUp]
    public void CreateTempDir() => _dir = Directory.CreateTempSubdirectory("gd-messages-").FullName;

    [TearDown]
    public void DeleteTempDir() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void OutOfMemory_NamesTheBytesAskedHeldAndTheDevice()
    {
        using var device = ComputeDevice.Create(new ComputeDeviceOptions { Kind = DeviceKind.Cpu, MemoryLimit = 1 << 20 });
        using var held = Tensor.Zeros(device, 1000);

        var e = Assert.Throws<DeviceOutOfMemoryException>(() => Tensor.Zeros(device, 1000, 1000));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(e!.RequestedBytes, Is.EqualTo(4_000_000));
            Assert.That(e.AllocatedBytes, Is.EqualTo(4000));
            Assert.That(e.Message, Does.Contain("4,000,000 bytes").And.Contain("holds 4,000").And.Contain(device.ToString()));
            Assert.That(device.AllocatedBytes, Is.EqualTo(4000), "the refused allocation left nothing behind");
        }
    }

    [Test]
    public void TwoDevicesOfTheSameKind_AreToldApartInMessages()
    {
        using var other = ComputeDevice.Create(new ComputeDeviceOptions { Kind = DeviceKind.Cpu });
        using var a = Tensor.Zeros(Device, 2);
        using var b = Tensor.Zeros(other, 2);

        var e = Assert.Throws<ArgumentException>(() => Ops.Add(a, b));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Device.ToString(), Is.Not.EqualTo(other.ToString()));
            Assert.That(e!.Message, Does.Contain($"device #{Device.Number}").And.Contain($"device #{other.Number}"));
        }
    }

    [Test]
    public void ABadDeviceVariable_IsNamedInTheMessage()
    {
        string? saved = Environment.GetEnvironmentVariable(ComputeDeviceOptions.DeviceVariable);
        Environment.SetEnvironmentVariable(ComputeDeviceOptions.DeviceVariable, "foo");
        try
        {
            Assert.That(() => ComputeDevice.Create(), Throws.ArgumentException
                .With.Message.Contains("'foo'").And.Message.Contains(ComputeDeviceOptions.DeviceVariable));
        }
        finally
        {
            Environment.SetEnvironmentVariable(ComputeDeviceOptions.DeviceVariable, saved);
        }
    }

    [Test]
    public void ACorruptGzip_IsInvalidDataFormat_WithThePath()
    {
        string path = Path.Combine(_dir, "images.gz");
        File.WriteAllBytes(path, [0x1f, 0x8b, 0x09, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3]);

        var e = Assert.Throws<InvalidDataFormatException>(() => IdxFile.ReadImages(path));

        Assert.That(e!.FilePath, Is.EqualTo(path));
    }

    [Test]
    public void AFolderGivenAsAFile_SaysSo_ForEveryReader()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => IdxFile.ReadImages(_dir), Throws.TypeOf<FileNotFoundException>().With.Message.Contains("is a folder"));
            Assert.That(() => ModelFile.Load(_dir), Throws.TypeOf<FileNotFoundException>().With.Message.Contains("is a folder"));
            Assert.That(() => Safetensors.Load(_dir), Throws.TypeOf<FileNotFoundException>().With.Message.Contains("is a folder"));
            Assert.That(() => TwoLayerNet.Load(Device, _dir), Throws.TypeOf<FileNotFoundException>().With.Message.Contains("is a folder"));
        }
    }

    [Test]
    public void SaveErrors_NameTheCallersPath_NotATemporaryFile()
    {
        using var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Inputs = 2, Hidden = 2, Classes = 2 });
        string missing = Path.Combine(_dir, "no-such-folder", "model.gdm");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => net.Save(missing), Throws.TypeOf<DirectoryNotFoundException>()
                .With.Message.Contains(missing).And.Message.Not.Contains(".tmp-"));
            Assert.That(() => net.Save(_dir), Throws.TypeOf<IOException>().With.Message.Contains("is a folder"));
        }
    }

    [Test]
    public void SavingOverASymbolicLink_ReplacesTheFileItPointsTo_AndKeepsTheLink()
    {
        using var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Inputs = 2, Hidden = 2, Classes = 2, Seed = 1 });
        string target = Path.Combine(_dir, "real.gdm");
        string link = Path.Combine(_dir, "latest.gdm");
        File.WriteAllText(target, "old");
        File.CreateSymbolicLink(link, target);

        net.Save(link);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(new FileInfo(link).LinkTarget, Is.EqualTo(target), "still a link");
            Assert.That(ModelFile.Load(target).Kind, Is.EqualTo(TwoLayerNet.ModelKind), "the target holds the model");
        }
    }

    [Test]
    public void LoadingANetworkOfOtherSizes_NamesBothArchitectures()
    {
        using var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Inputs = 4, Hidden = 3, Classes = 2 });
        string path = Path.Combine(_dir, "small.gdm");
        net.Save(path);

        Assert.That(() => TwoLayerNet.Load(Device, path, new TwoLayerNetOptions()), Throws.ArgumentException
            .With.Message.Contains("4 → 3 → 2").And.Message.Contains("784 → 100 → 10"));
    }
}
