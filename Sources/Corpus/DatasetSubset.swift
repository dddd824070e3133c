/// Chosen samples of a dataset, in the given order, as a dataset: e.g. one rank's share of a
/// validation set (`DatasetSubset.shard`).
public struct DatasetSubset: SampleDataset {
    public let base: any SampleDataset
    /// Indices into `base`.
    public let indices: [Int]

    /// - Precondition: every index is in `0..<base.count`.
    public init(_ base: any SampleDataset, indices: [Int]) {
        precondition(indices.allSatisfy { (0..<base.count).contains($0) }, "subset index out of range")
        self.base = base
        self.indices = indices
    }

    /// Samples `shard`, `shard + shards`, `shard + 2·shards`, … of `base` (round robin): the shards
    /// of all `shards` ranks partition it, and sample i is at position i / shards of shard i % shards.
    public static func shard(_ base: any SampleDataset, shard: Int, of shards: Int) -> DatasetSubset {
        DatasetSubset(base, indices: Array(stride(from: shard, to: base.count, by: max(1, shards))))
    }

    public var count: Int { indices.count }
    public func id(_ index: Int) -> String { base.id(indices[index]) }
    public func sourceLength(_ index: Int) -> Int { base.sourceLength(indices[index]) }
    public func targetLength(_ index: Int) -> Int { base.targetLength(indices[index]) }
    public func sample(_ index: Int) throws -> Sample { try base.sample(indices[index]) }
    public func sourceLength(_ index: Int, epoch: Int) -> Int { base.sourceLength(indices[index], epoch: epoch) }
    public func sample(_ index: Int, epoch: Int) throws -> Sample { try base.sample(indices[index], epoch: epoch) }
    public func numTokens(_ index: Int, epoch: Int) -> Int { base.numTokens(indices[index], epoch: epoch) }
    public func referenceText(_ index: Int) -> String? { base.referenceText(indices[index]) }
    public var ordering: BatchOrdering { base.ordering }
}
