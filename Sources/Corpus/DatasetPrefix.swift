/// The first `count` samples of a dataset, as a dataset (validation decoding of a subset, quick looks).
public struct DatasetPrefix: SampleDataset {
    public let base: any SampleDataset
    public let count: Int

    /// - Parameter count: samples kept; more than the dataset has keeps all of them.
    public init(_ base: any SampleDataset, count: Int) {
        self.base = base
        self.count = min(max(0, count), base.count)
    }

    public func id(_ index: Int) -> String { base.id(index) }
    public func sourceLength(_ index: Int) -> Int { base.sourceLength(index) }
    public func targetLength(_ index: Int) -> Int { base.targetLength(index) }
    public func sample(_ index: Int) throws -> Sample { try base.sample(index) }
    public func sourceLength(_ index: Int, epoch: Int) -> Int { base.sourceLength(index, epoch: epoch) }
    public func sample(_ index: Int, epoch: Int) throws -> Sample { try base.sample(index, epoch: epoch) }
    public func numTokens(_ index: Int, epoch: Int) -> Int { base.numTokens(index, epoch: epoch) }
    public func referenceText(_ index: Int) -> String? { base.referenceText(index) }
    public var ordering: BatchOrdering { base.ordering }
}
