namespace Distri.Core.SquashFs.Writing;

/// <summary>Receives where a data or fragment block landed once the in-order writer has put it in the image.</summary>
internal interface IBlockOwner
{
    /// <param name="index">The block's index within its owner.</param>
    /// <param name="position">The image offset of the block's first byte.</param>
    /// <param name="sizeWord">The on-disk size word: compressed length, or length | raw flag, or 0 for a hole.</param>
    /// <param name="length">The block's uncompressed length.</param>
    void OnBlockWritten(int index, long position, uint sizeWord, int length);
}
