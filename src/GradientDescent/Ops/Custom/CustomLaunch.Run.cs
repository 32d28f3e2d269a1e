using ILGPU;

namespace GradientDescent;

// One overload per kernel arity, as ILGPU's LoadStreamKernel has them: the type arguments are inferred
// from the arguments, and the kernel's signature must match them exactly.
public readonly ref partial struct CustomLaunch
{
    /// <summary>
    /// Launches <paramref name="kernel"/> with the grid <paramref name="shape"/> resolves to on this device,
    /// compiling it on first use; counts one launch. Overloads take up to 12 kernel arguments.
    /// </summary>
    /// <typeparam name="T1">The type of the kernel's parameter 1: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <param name="shape">How the grid is sized, e.g. <c>LaunchShape.Elements(y.Length)</c>.</param>
    /// <param name="kernel">A static, explicitly grouped ILGPU kernel.</param>
    /// <param name="a1">Argument 1.</param>
    /// <exception cref="KernelCompilationException">The kernel does not compile for this device; the message names the operation, the kernel and the device.</exception>
    /// <exception cref="CustomOpException">The shape resolves to a grid the device cannot launch.</exception>
    public void Run<T1>(LaunchShape shape, Action<T1> kernel, T1 a1)
        where T1 : struct
    {
        Prepare(shape, kernel);
        _launch.Run(shape, kernel, a1);
    }

    /// <summary>Launches a kernel of 2 parameters; see <see cref="Run{T1}(LaunchShape, Action{T1}, T1)"/>.</summary>
    /// <typeparam name="T1">The type of the kernel's parameter 1: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T2">The type of the kernel's parameter 2: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <param name="shape">How the grid is sized.</param>
    /// <param name="kernel">A static, explicitly grouped ILGPU kernel.</param>
    /// <param name="a1">Argument 1.</param>
    /// <param name="a2">Argument 2.</param>
    /// <exception cref="KernelCompilationException">The kernel does not compile for this device.</exception>
    /// <exception cref="CustomOpException">The shape resolves to a grid the device cannot launch.</exception>
    public void Run<T1, T2>(LaunchShape shape, Action<T1, T2> kernel, T1 a1, T2 a2)
        where T1 : struct where T2 : struct
    {
        Prepare(shape, kernel);
        _launch.Run(shape, kernel, a1, a2);
    }

    /// <summary>Launches a kernel of 3 parameters; see <see cref="Run{T1}(LaunchShape, Action{T1}, T1)"/>.</summary>
    /// <typeparam name="T1">The type of the kernel's parameter 1: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T2">The type of the kernel's parameter 2: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T3">The type of the kernel's parameter 3: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <param name="shape">How the grid is sized.</param>
    /// <param name="kernel">A static, explicitly grouped ILGPU kernel.</param>
    /// <param name="a1">Argument 1.</param>
    /// <param name="a2">Argument 2.</param>
    /// <param name="a3">Argument 3.</param>
    /// <exception cref="KernelCompilationException">The kernel does not compile for this device.</exception>
    /// <exception cref="CustomOpException">The shape resolves to a grid the device cannot launch.</exception>
    public void Run<T1, T2, T3>(LaunchShape shape, Action<T1, T2, T3> kernel, T1 a1, T2 a2, T3 a3)
        where T1 : struct where T2 : struct where T3 : struct
    {
        Prepare(shape, kernel);
        _launch.Run(shape, kernel, a1, a2, a3);
    }

    /// <summary>Launches a kernel of 4 parameters; see <see cref="Run{T1}(LaunchShape, Action{T1}, T1)"/>.</summary>
    /// <typeparam name="T1">The type of the kernel's parameter 1: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T2">The type of the kernel's parameter 2: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T3">The type of the kernel's parameter 3: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T4">The type of the kernel's parameter 4: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <param name="shape">How the grid is sized.</param>
    /// <param name="kernel">A static, explicitly grouped ILGPU kernel.</param>
    /// <param name="a1">Argument 1.</param>
    /// <param name="a2">Argument 2.</param>
    /// <param name="a3">Argument 3.</param>
    /// <param name="a4">Argument 4.</param>
    /// <exception cref="KernelCompilationException">The kernel does not compile for this device.</exception>
    /// <exception cref="CustomOpException">The shape resolves to a grid the device cannot launch.</exception>
    public void Run<T1, T2, T3, T4>(LaunchShape shape, Action<T1, T2, T3, T4> kernel, T1 a1, T2 a2, T3 a3, T4 a4)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct
    {
        Prepare(shape, kernel);
        _launch.Run(shape, kernel, a1, a2, a3, a4);
    }

    /// <summary>Launches a kernel of 5 parameters; see <see cref="Run{T1}(LaunchShape, Action{T1}, T1)"/>.</summary>
    /// <typeparam name="T1">The type of the kernel's parameter 1: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T2">The type of the kernel's parameter 2: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T3">The type of the kernel's parameter 3: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T4">The type of the kernel's parameter 4: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T5">The type of the kernel's parameter 5: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <param name="shape">How the grid is sized.</param>
    /// <param name="kernel">A static, explicitly grouped ILGPU kernel.</param>
    /// <param name="a1">Argument 1.</param>
    /// <param name="a2">Argument 2.</param>
    /// <param name="a3">Argument 3.</param>
    /// <param name="a4">Argument 4.</param>
    /// <param name="a5">Argument 5.</param>
    /// <exception cref="KernelCompilationException">The kernel does not compile for this device.</exception>
    /// <exception cref="CustomOpException">The shape resolves to a grid the device cannot launch.</exception>
    public void Run<T1, T2, T3, T4, T5>(LaunchShape shape, Action<T1, T2, T3, T4, T5> kernel, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct
    {
        Prepare(shape, kernel);
        _launch.Run(shape, kernel, a1, a2, a3, a4, a5);
    }

    /// <summary>Launches a kernel of 6 parameters; see <see cref="Run{T1}(LaunchShape, Action{T1}, T1)"/>.</summary>
    /// <typeparam name="T1">The type of the kernel's parameter 1: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T2">The type of the kernel's parameter 2: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T3">The type of the kernel's parameter 3: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T4">The type of the kernel's parameter 4: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T5">The type of the kernel's parameter 5: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T6">The type of the kernel's parameter 6: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <param name="shape">How the grid is sized.</param>
    /// <param name="kernel">A static, explicitly grouped ILGPU kernel.</param>
    /// <param name="a1">Argument 1.</param>
    /// <param name="a2">Argument 2.</param>
    /// <param name="a3">Argument 3.</param>
    /// <param name="a4">Argument 4.</param>
    /// <param name="a5">Argument 5.</param>
    /// <param name="a6">Argument 6.</param>
    /// <exception cref="KernelCompilationException">The kernel does not compile for this device.</exception>
    /// <exception cref="CustomOpException">The shape resolves to a grid the device cannot launch.</exception>
    public void Run<T1, T2, T3, T4, T5, T6>(LaunchShape shape, Action<T1, T2, T3, T4, T5, T6> kernel, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct
    {
        Prepare(shape, kernel);
        _launch.Run(shape, kernel, a1, a2, a3, a4, a5, a6);
    }

    /// <summary>Launches a kernel of 7 parameters; see <see cref="Run{T1}(LaunchShape, Action{T1}, T1)"/>.</summary>
    /// <typeparam name="T1">The type of the kernel's parameter 1: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T2">The type of the kernel's parameter 2: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T3">The type of the kernel's parameter 3: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T4">The type of the kernel's parameter 4: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T5">The type of the kernel's parameter 5: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T6">The type of the kernel's parameter 6: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T7">The type of the kernel's parameter 7: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <param name="shape">How the grid is sized.</param>
    /// <param name="kernel">A static, explicitly grouped ILGPU kernel.</param>
    /// <param name="a1">Argument 1.</param>
    /// <param name="a2">Argument 2.</param>
    /// <param name="a3">Argument 3.</param>
    /// <param name="a4">Argument 4.</param>
    /// <param name="a5">Argument 5.</param>
    /// <param name="a6">Argument 6.</param>
    /// <param name="a7">Argument 7.</param>
    /// <exception cref="KernelCompilationException">The kernel does not compile for this device.</exception>
    /// <exception cref="CustomOpException">The shape resolves to a grid the device cannot launch.</exception>
    public void Run<T1, T2, T3, T4, T5, T6, T7>(LaunchShape shape, Action<T1, T2, T3, T4, T5, T6, T7> kernel, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct
    {
        Prepare(shape, kernel);
        _launch.Run(shape, kernel, a1, a2, a3, a4, a5, a6, a7);
    }

    /// <summary>Launches a kernel of 8 parameters; see <see cref="Run{T1}(LaunchShape, Action{T1}, T1)"/>.</summary>
    /// <typeparam name="T1">The type of the kernel's parameter 1: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T2">The type of the kernel's parameter 2: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T3">The type of the kernel's parameter 3: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T4">The type of the kernel's parameter 4: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T5">The type of the kernel's parameter 5: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T6">The type of the kernel's parameter 6: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T7">The type of the kernel's parameter 7: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T8">The type of the kernel's parameter 8: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <param name="shape">How the grid is sized.</param>
    /// <param name="kernel">A static, explicitly grouped ILGPU kernel.</param>
    /// <param name="a1">Argument 1.</param>
    /// <param name="a2">Argument 2.</param>
    /// <param name="a3">Argument 3.</param>
    /// <param name="a4">Argument 4.</param>
    /// <param name="a5">Argument 5.</param>
    /// <param name="a6">Argument 6.</param>
    /// <param name="a7">Argument 7.</param>
    /// <param name="a8">Argument 8.</param>
    /// <exception cref="KernelCompilationException">The kernel does not compile for this device.</exception>
    /// <exception cref="CustomOpException">The shape resolves to a grid the device cannot launch.</exception>
    public void Run<T1, T2, T3, T4, T5, T6, T7, T8>(LaunchShape shape, Action<T1, T2, T3, T4, T5, T6, T7, T8> kernel, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct
    {
        Prepare(shape, kernel);
        _launch.Run(shape, kernel, a1, a2, a3, a4, a5, a6, a7, a8);
    }

    /// <summary>Launches a kernel of 9 parameters; see <see cref="Run{T1}(LaunchShape, Action{T1}, T1)"/>.</summary>
    /// <typeparam name="T1">The type of the kernel's parameter 1: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T2">The type of the kernel's parameter 2: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T3">The type of the kernel's parameter 3: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T4">The type of the kernel's parameter 4: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T5">The type of the kernel's parameter 5: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T6">The type of the kernel's parameter 6: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T7">The type of the kernel's parameter 7: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T8">The type of the kernel's parameter 8: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T9">The type of the kernel's parameter 9: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <param name="shape">How the grid is sized.</param>
    /// <param name="kernel">A static, explicitly grouped ILGPU kernel.</param>
    /// <param name="a1">Argument 1.</param>
    /// <param name="a2">Argument 2.</param>
    /// <param name="a3">Argument 3.</param>
    /// <param name="a4">Argument 4.</param>
    /// <param name="a5">Argument 5.</param>
    /// <param name="a6">Argument 6.</param>
    /// <param name="a7">Argument 7.</param>
    /// <param name="a8">Argument 8.</param>
    /// <param name="a9">Argument 9.</param>
    /// <exception cref="KernelCompilationException">The kernel does not compile for this device.</exception>
    /// <exception cref="CustomOpException">The shape resolves to a grid the device cannot launch.</exception>
    public void Run<T1, T2, T3, T4, T5, T6, T7, T8, T9>(LaunchShape shape, Action<T1, T2, T3, T4, T5, T6, T7, T8, T9> kernel, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct where T9 : struct
    {
        Prepare(shape, kernel);
        _launch.Run(shape, kernel, a1, a2, a3, a4, a5, a6, a7, a8, a9);
    }

    /// <summary>Launches a kernel of 10 parameters; see <see cref="Run{T1}(LaunchShape, Action{T1}, T1)"/>.</summary>
    /// <typeparam name="T1">The type of the kernel's parameter 1: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T2">The type of the kernel's parameter 2: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T3">The type of the kernel's parameter 3: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T4">The type of the kernel's parameter 4: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T5">The type of the kernel's parameter 5: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T6">The type of the kernel's parameter 6: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T7">The type of the kernel's parameter 7: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T8">The type of the kernel's parameter 8: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T9">The type of the kernel's parameter 9: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T10">The type of the kernel's parameter 10: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <param name="shape">How the grid is sized.</param>
    /// <param name="kernel">A static, explicitly grouped ILGPU kernel.</param>
    /// <param name="a1">Argument 1.</param>
    /// <param name="a2">Argument 2.</param>
    /// <param name="a3">Argument 3.</param>
    /// <param name="a4">Argument 4.</param>
    /// <param name="a5">Argument 5.</param>
    /// <param name="a6">Argument 6.</param>
    /// <param name="a7">Argument 7.</param>
    /// <param name="a8">Argument 8.</param>
    /// <param name="a9">Argument 9.</param>
    /// <param name="a10">Argument 10.</param>
    /// <exception cref="KernelCompilationException">The kernel does not compile for this device.</exception>
    /// <exception cref="CustomOpException">The shape resolves to a grid the device cannot launch.</exception>
    public void Run<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10>(LaunchShape shape, Action<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10> kernel, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9, T10 a10)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct where T9 : struct where T10 : struct
    {
        Prepare(shape, kernel);
        _launch.Run(shape, kernel, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10);
    }

    /// <summary>Launches a kernel of 11 parameters; see <see cref="Run{T1}(LaunchShape, Action{T1}, T1)"/>.</summary>
    /// <typeparam name="T1">The type of the kernel's parameter 1: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T2">The type of the kernel's parameter 2: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T3">The type of the kernel's parameter 3: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T4">The type of the kernel's parameter 4: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T5">The type of the kernel's parameter 5: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T6">The type of the kernel's parameter 6: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T7">The type of the kernel's parameter 7: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T8">The type of the kernel's parameter 8: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T9">The type of the kernel's parameter 9: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T10">The type of the kernel's parameter 10: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T11">The type of the kernel's parameter 11: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <param name="shape">How the grid is sized.</param>
    /// <param name="kernel">A static, explicitly grouped ILGPU kernel.</param>
    /// <param name="a1">Argument 1.</param>
    /// <param name="a2">Argument 2.</param>
    /// <param name="a3">Argument 3.</param>
    /// <param name="a4">Argument 4.</param>
    /// <param name="a5">Argument 5.</param>
    /// <param name="a6">Argument 6.</param>
    /// <param name="a7">Argument 7.</param>
    /// <param name="a8">Argument 8.</param>
    /// <param name="a9">Argument 9.</param>
    /// <param name="a10">Argument 10.</param>
    /// <param name="a11">Argument 11.</param>
    /// <exception cref="KernelCompilationException">The kernel does not compile for this device.</exception>
    /// <exception cref="CustomOpException">The shape resolves to a grid the device cannot launch.</exception>
    public void Run<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11>(LaunchShape shape, Action<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11> kernel, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9, T10 a10, T11 a11)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct where T9 : struct where T10 : struct where T11 : struct
    {
        Prepare(shape, kernel);
        _launch.Run(shape, kernel, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11);
    }

    /// <summary>Launches a kernel of 12 parameters; see <see cref="Run{T1}(LaunchShape, Action{T1}, T1)"/>.</summary>
    /// <typeparam name="T1">The type of the kernel's parameter 1: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T2">The type of the kernel's parameter 2: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T3">The type of the kernel's parameter 3: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T4">The type of the kernel's parameter 4: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T5">The type of the kernel's parameter 5: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T6">The type of the kernel's parameter 6: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T7">The type of the kernel's parameter 7: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T8">The type of the kernel's parameter 8: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T9">The type of the kernel's parameter 9: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T10">The type of the kernel's parameter 10: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T11">The type of the kernel's parameter 11: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <typeparam name="T12">The type of the kernel's parameter 12: an <c>ArrayView</c> or a scalar.</typeparam>
    /// <param name="shape">How the grid is sized.</param>
    /// <param name="kernel">A static, explicitly grouped ILGPU kernel.</param>
    /// <param name="a1">Argument 1.</param>
    /// <param name="a2">Argument 2.</param>
    /// <param name="a3">Argument 3.</param>
    /// <param name="a4">Argument 4.</param>
    /// <param name="a5">Argument 5.</param>
    /// <param name="a6">Argument 6.</param>
    /// <param name="a7">Argument 7.</param>
    /// <param name="a8">Argument 8.</param>
    /// <param name="a9">Argument 9.</param>
    /// <param name="a10">Argument 10.</param>
    /// <param name="a11">Argument 11.</param>
    /// <param name="a12">Argument 12.</param>
    /// <exception cref="KernelCompilationException">The kernel does not compile for this device.</exception>
    /// <exception cref="CustomOpException">The shape resolves to a grid the device cannot launch.</exception>
    public void Run<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12>(LaunchShape shape, Action<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12> kernel, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9, T10 a10, T11 a11, T12 a12)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct where T9 : struct where T10 : struct where T11 : struct where T12 : struct
    {
        Prepare(shape, kernel);
        _launch.Run(shape, kernel, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12);
    }

    private void Prepare(LaunchShape shape, Delegate kernel)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        shape.CheckFits(Device, _op);
    }
}
