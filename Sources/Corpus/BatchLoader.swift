import Foundation

/// Loads and collates the batches of a plan on a background thread, `prefetch` batches ahead, in plan
/// order whatever the timing (one producer works through the plan in order and hands batches over
/// through a bounded queue). With `prefetch` 0 every batch is collated on the consumer's thread when
/// it is asked for. Batches are identical in both modes, and starting at position k gives exactly the
/// batches from k on (samples and augmentation depend only on seed, epoch and index): that is resume.
///
/// ```swift
/// let loader = BatchLoader(dataset: ds, batches: plan.batches, options: .init(epoch: 3, startBatch: k, training: true))
/// var it = loader.makeIterator()
/// while let batch = try it.nextBatch() { … }          // or: for r in loader { let b = try r.get() }
/// ```
/// A failure (e.g. a missing zip entry) is raised on the consumer side, naming the utterance, when its
/// batch is reached; iteration then ends.
public final class BatchLoader: Sequence, @unchecked Sendable {
    public struct Options: Sendable, Equatable {
        /// Batches collated ahead of the consumer (0: no background thread).
        public var prefetch: Int
        /// The first plan position to produce (resume).
        public var startBatch: Int
        public var epoch: Int
        public var seed: UInt64
        /// Training batches get SpecAugment.
        public var training: Bool
        public var collater: Collater

        public init(prefetch: Int = 2, startBatch: Int = 0, epoch: Int = 1, seed: UInt64 = 1, training: Bool = false,
                    collater: Collater = Collater()) {
            self.prefetch = prefetch
            self.startBatch = startBatch
            self.epoch = epoch
            self.seed = seed
            self.training = training
            self.collater = collater
        }
    }

    public let dataset: any SampleDataset
    public let batches: [[Int]]
    public let options: Options

    public init(dataset: any SampleDataset, batches: [[Int]], options: Options = Options()) {
        self.dataset = dataset
        self.batches = batches
        self.options = options
    }

    /// Number of batches this loader yields (from `startBatch` on).
    public var remaining: Int { Swift.max(0, batches.count - options.startBatch) }

    /// Loads and collates plan batch `position` on the calling thread.
    /// - Throws: `CorpusError.sample` naming the utterance, `.incompatibleBatch`.
    public func collate(position: Int) throws -> Batch {
        let epoch = options.epoch
        let samples = try batches[position].map { i in (index: i, sample: try dataset.sample(i, epoch: epoch)) }
        return try options.collater.collate(samples, training: options.training, seed: options.seed, epoch: epoch,
                                            position: position)
    }

    public func makeIterator() -> Iterator { Iterator(loader: self) }

    /// Yields `Result`s so that errors reach the consumer; `nextBatch()` is the throwing form.
    public struct Iterator: IteratorProtocol {
        private let loader: BatchLoader
        private var position: Int
        private var failed = false
        private let pipeline: Pipeline?

        init(loader: BatchLoader) {
            self.loader = loader
            position = Swift.max(0, loader.options.startBatch)
            pipeline = loader.options.prefetch > 0 && position < loader.batches.count ? Pipeline(loader: loader, from: position) : nil
        }

        /// The next batch, nil at the end. - Throws: the first loading error (then the iteration ends).
        public mutating func nextBatch() throws -> Batch? {
            guard !failed, position < loader.batches.count else { return nil }
            defer { position += 1 }
            do {
                if let pipeline { return try pipeline.take().get() }
                return try loader.collate(position: position)
            } catch {
                failed = true
                throw error
            }
        }

        public mutating func next() -> Result<Batch, any Error>? {
            do { return try nextBatch().map { .success($0) } } catch { return .failure(error) }
        }
    }

    /// The producer thread and its bounded queue. The thread holds only the `Channel`, so when the
    /// consumer drops the iterator, `Pipeline.deinit` stops it.
    final class Pipeline {
        let channel: Channel

        init(loader: BatchLoader, from start: Int) {
            let channel = Channel(capacity: loader.options.prefetch)
            self.channel = channel
            let thread = Thread {
                var p = start
                while p < loader.batches.count {
                    let result = Result { try loader.collate(position: p) }
                    guard channel.put(result) else { return }
                    if case .failure = result { return }
                    p += 1
                }
            }
            thread.name = "BatchLoader"
            thread.start()
        }

        func take() -> Result<Batch, any Error> { channel.take() }

        deinit { channel.cancel() }
    }

    final class Channel: @unchecked Sendable {
        private let condition = NSCondition()
        private var queue: [Result<Batch, any Error>] = []
        private var head = 0
        private let capacity: Int
        private var cancelled = false

        init(capacity: Int) { self.capacity = capacity }

        /// Blocks while the queue is full; false once cancelled.
        func put(_ r: Result<Batch, any Error>) -> Bool {
            condition.lock()
            defer { condition.unlock() }
            while queue.count - head >= capacity && !cancelled { condition.wait() }
            if cancelled { return false }
            queue.append(r)
            condition.broadcast()
            return true
        }

        func take() -> Result<Batch, any Error> {
            condition.lock()
            defer { condition.unlock() }
            while queue.count - head == 0 { condition.wait() }
            let r = queue[head]
            head += 1
            if head > 64 { queue.removeFirst(head); head = 0 }
            condition.broadcast()
            return r
        }

        func cancel() {
            condition.lock()
            cancelled = true
            condition.broadcast()
            condition.unlock()
        }
    }
}
