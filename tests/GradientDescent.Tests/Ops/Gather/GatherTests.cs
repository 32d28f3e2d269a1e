using NUnit.Framework;

namespace GradientDescent.Tests;

[TestFixtureSource(typeof(TestDevices), nameof(TestDevices.UnderTest))]
public sealed class GatherTests(DeviceUnderTest deviceUnderTest)
{
    private ComputeDevice Device => deviceUnderTest.Device;

    [TestCase(1, 1, 1)]
    [TestCase(5, 1, 3)]
    [TestCase(13, 7, 13)]
    [TestCase(97, 784, 64)]
    [TestCase(8, 3, 20)]
    public void Next_MatchesHostGather(int rows, int cols, int count)
    {
        var source = Enumerable.Range(0, rows * cols).Select(i => (i * 0.37f) - 11f).ToArray();
        var labels = Enumerable.Range(0, rows).Select(r => (r * 7) % 10).ToArray();
        var random = new Random(rows + cols + count);
        var indices = Enumerable.Range(0, count).Select(_ => random.Next(rows)).ToArray();
        indices[0] = rows - 1;
        using var x = Tensor.FromArray(Device, source, rows, cols);
        using var y = Labels.FromArray(Device, labels, 10);
        using var gather = new BatchGather(x, y, count);

        var (bx, by) = gather.Next(indices);

        var expected = indices.SelectMany(r => source.Skip(r * cols).Take(cols)).ToArray();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(bx.Shape, Is.EqualTo(new[] { count, cols }));
            Assert.That(bx.ToArray(), Is.EqualTo(expected));
            Assert.That(by.ToArray(), Is.EqualTo(indices.Select(r => labels[r])));
            Assert.That(by.Classes, Is.EqualTo(10));
        }
    }

    [Test]
    public void Next_ReusesItsBuffers_PerBatchSize()
    {
        using var x = Tensor.FromArray(Device, Enumerable.Range(0, 40).Select(i => (float)i).ToArray(), 10, 4);
        using var y = Labels.FromArray(Device, Enumerable.Range(0, 10).ToArray(), 10);
        using var gather = new BatchGather(x, y, 4);
        var first = gather.Next([0, 1, 2, 3]);
        var tail = gather.Next([9, 8]);
        long allocated = Device.AllocatedBytes;

        var again = gather.Next([3, 2, 1, 0]);
        var tailAgain = gather.Next([5, 5]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(again.X, Is.SameAs(first.X));
            Assert.That(again.Labels, Is.SameAs(first.Labels));
            Assert.That(tailAgain.X, Is.SameAs(tail.X));
            Assert.That(Device.AllocatedBytes, Is.EqualTo(allocated), "no allocation once each size has been seen");
            Assert.That(again.X.ToArray()[..4], Is.EqualTo(new[] { 12f, 13f, 14f, 15f }));
            Assert.That(tailAgain.Labels.ToArray(), Is.EqualTo(new[] { 5, 5 }));
        }
    }

    [TestCase(-1, 1, "index -1 at position 1 is outside 0..9")]
    [TestCase(10, 2, "index 10 at position 2 is outside 0..9")]
    [TestCase(int.MaxValue, 0, "index 2147483647 at position 0")]
    public void Next_OutOfRangeIndex_IsRejectedOnTheHost(int bad, int position, string expected)
    {
        using var x = Tensor.Zeros(Device, 10, 3);
        using var y = Labels.FromArray(Device, new int[10], 10);
        using var gather = new BatchGather(x, y, 4);
        int[] indices = [0, 1, 2];
        indices[position] = bad;

        var e = Assert.Throws<ArgumentException>(() => gather.Next(indices));

        Assert.That(e!.Message, Does.Contain(expected).And.Contain("(10, 3)"));
        Assert.That(gather.Next([9]).X.ToArray(), Is.EqualTo(new float[3]), "the device is still usable");
    }

    [TestCase(0)]
    [TestCase(5)]
    public void Next_WrongCount_IsRejected(int count)
    {
        using var x = Tensor.Zeros(Device, 10, 3);
        using var y = Labels.FromArray(Device, new int[10], 10);
        using var gather = new BatchGather(x, y, 4);

        var e = Assert.Throws<ArgumentException>(() => gather.Next(new int[count]));

        Assert.That(e!.Message, Does.Contain($"{count} indices").And.Contain("1 to 4"));
    }

    [Test]
    public void Constructor_ChecksShapesAndCapacity()
    {
        using var x = Tensor.Zeros(Device, 10, 3);
        using var vector = Tensor.Zeros(Device, 10);
        using var y = Labels.FromArray(Device, new int[10], 10);
        using var short9 = Labels.FromArray(Device, new int[9], 10);

        using (Assert.EnterMultipleScope())
        {
            Assert.Throws<ArgumentException>(() => new BatchGather(vector, y, 2));
            Assert.That(Assert.Throws<ArgumentException>(() => new BatchGather(x, short9, 2))!.Message, Does.Contain("10 labels"));
            Assert.Throws<ArgumentOutOfRangeException>(() => new BatchGather(x, y, 0));
        }
    }

    [Test]
    public void Next_AfterDispose_Throws()
    {
        using var x = Tensor.Zeros(Device, 4, 2);
        using var y = Labels.FromArray(Device, new int[4], 10);
        var gather = new BatchGather(x, y, 2);
        gather.Dispose();

        Assert.Throws<ObjectDisposedException>(() => gather.Next([0]));
    }
}
