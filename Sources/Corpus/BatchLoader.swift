import Foundation

/// Loads and collates the batches of a plan on background threads (`workers`), at most `prefetch`
/// batches ahead, in plan order whatever the timing (batches are handed over by position through a
/// bounded buffer). With `prefetch` 0 every batch is collated on the consumer's thread when
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
        /// Threads collating batches in parallel (with `prefetch` > 0); the order stays the plan's.
        public var workers: Int
        /// The first plan position to produce (resume).
        public var startBatch: Int
        /// The plan positions to produce, in this order, instead of `startBatch` … end: one rank's
        /// share of an epoch in data-parallel training. A batch is the same whichever positions are
        /// asked for (its augmentation depends on its position, not on the order).
        public var positions: [Int]?
        public var epoch: Int
        public var seed: UInt64
        /// Training batches get SpecAugment.
        public var training: Bool
        public var collater: Collater

        public init(prefetch: Int = 2, workers: Int = 1, startBatch: Int = 0, positions: [Int]? = nil, epoch: Int = 1,
                    seed: UInt64 = 1, training: Bool = false, collater: Collater = Collater()) {
            self.prefetch = prefetch
            self.workers = workers
            self.startBatch = startBatch
            self.positions = positions
            self.epoch = epoch
            self.seed = seed
            self.training = training
            self.collater = collater
        }
    }

    public let dataset: any SampleDataset
    public let batches: [[Int]]
    public let options: Options
    /// The plan positions produced, in order (`options.positions`, or `startBatch` … end).
    public let order: [Int]

    /// - Precondition: every one of `options.positions` is a position of `batches`.
    public init(dataset: any SampleDataset, batches: [[Int]], options: Options = Options()) {
        self.dataset = dataset
        self.batches = batches
        self.options = options
        if let positions = options.positions {
            precondition(positions.allSatisfy { batches.indices.contains($0) }, "batch position out of range")
            order = positions
        } else {
            order = Array(Swift.min(Swift.max(0, options.startBatch), batches.count)..<batches.count)
        }
    }

    /// Number of batches this loader yields.
    public var remaining: Int { order.count }

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
        /// Index into `loader.order` of the next batch.
        private var slot = 0
        private var failed = false
        private let pipeline: Pipeline?

        init(loader: BatchLoader) {
            self.loader = loader
            pipeline = loader.options.prefetch > 0 && !loader.order.isEmpty ? Pipeline(loader: loader) : nil
        }

        /// The next batch, nil at the end. - Throws: the first loading error (then the iteration ends).
        public mutating func nextBatch() throws -> Batch? {
            guard !failed, slot < loader.order.count else { return nil }
            defer { slot += 1 }
            do {
                if let pipeline { return try pipeline.take(slot).get() }
                return try loader.collate(position: loader.order[slot])
            } catch {
                failed = true
                throw error
            }
        }

        public mutating func next() -> Result<Batch, any Error>? {
            do { return try nextBatch().map { .success($0) } } catch { return .failure(error) }
        }
    }

    /// The producer threads and their bounded, ordered buffer. The threads hold only the buffer (and
    /// the loader), so when the consumer drops the iterator, `Pipeline.deinit` stops them.
    final class Pipeline {
        let buffer: OrderedBuffer

        /// Makes the batches of `loader.order`, keyed by their index in it.
        init(loader: BatchLoader) {
            let buffer = OrderedBuffer(next: 0, capacity: loader.options.prefetch)
            self.buffer = buffer
            let workers = Swift.max(1, loader.options.workers)
            for w in 0..<workers {
                let thread = Thread {
                    var slot = w
                    while slot < loader.order.count {
                        guard buffer.waitForRoom(slot) else { return }
                        let result = Result { try loader.collate(position: loader.order[slot]) }
                        buffer.put(slot, result)
                        if case .failure = result { return }
                        slot += workers
                    }
                }
                thread.name = "BatchLoader-\(w)"
                thread.start()
            }
        }

        func take(_ slot: Int) -> Result<Batch, any Error> { buffer.take(slot) }

        deinit { buffer.cancel() }
    }

    /// Results by slot (index in the loader's `order`). A worker may start slot p only while p < (next
    /// to be taken) + capacity, so at most `capacity` batches are held or in the making; the consumer
    /// takes them in order whatever order they were finished in.
    final class OrderedBuffer: @unchecked Sendable {
        private let condition = NSCondition()
        private var results: [Int: Result<Batch, any Error>] = [:]
        private var next: Int
        private let capacity: Int
        private var cancelled = false

        init(next: Int, capacity: Int) {
            self.next = next
            self.capacity = Swift.max(1, capacity)
        }

        /// Blocks until position `p` may be made; false once cancelled.
        func waitForRoom(_ p: Int) -> Bool {
            condition.lock()
            defer { condition.unlock() }
            while p >= next + capacity && !cancelled { condition.wait() }
            return !cancelled
        }

        func put(_ p: Int, _ r: Result<Batch, any Error>) {
            condition.lock()
            results[p] = r
            condition.broadcast()
            condition.unlock()
        }

        func take(_ p: Int) -> Result<Batch, any Error> {
            condition.lock()
            defer { condition.unlock() }
            while results[p] == nil { condition.wait() }
            let r = results.removeValue(forKey: p)!
            next = p + 1
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
