using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Districtl.Client;

/// <summary>A call waiting for its answer: completes its task from the raw result or an error, and relays progress.</summary>
internal abstract class PendingCall(Action<ReadOnlySpan<byte>>? progress)
{
    public abstract void Complete(ReadOnlySpan<byte> result);

    public abstract void Fail(Exception error);

    public void ReportProgress(ReadOnlySpan<byte> value) => progress?.Invoke(value);
}

/// <inheritdoc cref="PendingCall"/>
internal sealed class PendingCall<TResult>(JsonTypeInfo<TResult> resultType, Action<ReadOnlySpan<byte>>? progress) : PendingCall(progress)
{
    // Continuations run off the reading thread, so a slow caller never stalls the connection.
    private readonly TaskCompletionSource<TResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<TResult> Task => _completion.Task;

    public override void Complete(ReadOnlySpan<byte> result)
    {
        try
        {
            var value = JsonSerializer.Deserialize(result, resultType);
            if (value is null)
            {
                throw new JsonException("it is null");
            }

            _completion.TrySetResult(value);
        }
        catch (JsonException e)
        {
            _completion.TrySetException(new FormatException($"the daemon's answer is not a {typeof(TResult).Name}: {e.Message}", e));
        }
    }

    public override void Fail(Exception error) => _completion.TrySetException(error);
}
