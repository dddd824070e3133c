import Autograd
import TensorCore

/// fairseq's `SinusoidalPositionalEmbedding` with padding index 1 (no parameters): the table is built
/// on first use and grown when longer inputs come. Row 1 (padding) is zero; real positions start at 2.
final class PositionalTable {
    let dim: Int
    let paddingIndex: Int32 = 1
    private var table: Tensor

    init(dim: Int) {
        self.dim = dim
        table = SinusoidalPositions.table(count: 256, dim: dim, paddingIndex: 1)
    }

    /// Embeddings (B, T, dim) of fairseq positions (B, T) (as `SinusoidalPositions.positions` makes them).
    func embeddings(_ positions: Int32Tensor) -> Tensor {
        let needed = Int(positions.scalars.max() ?? 0) + 1
        if needed > table.shape[0] {
            table = SinusoidalPositions.table(count: max(needed, 2 * table.shape[0]), dim: dim, paddingIndex: Int(paddingIndex))
        }
        let flat = Int32Tensor(shape: [positions.scalars.count], scalars: positions.scalars)
        return table.indexSelect(axis: 0, flat).reshaped(positions.shape + [dim])
    }

    /// fairseq positions (B, T) of right-padded rows with `lengths` valid frames: 2, 3, … then 1.
    func positions(lengths: [Int32], time t: Int) -> Int32Tensor {
        Int32Tensor(shape: [lengths.count, t], scalars: lengths.flatMap { l in
            (0..<t).map { $0 < Int(l) ? Int32($0) + paddingIndex + 1 : paddingIndex }
        })
    }
}
