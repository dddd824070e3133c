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
        public var epoch: Int
        public var seed: UInt64
        /// Training batches get SpecAugment.
        public var training: Bool
        public var collater: Collater

        public init(prefetch: Int = 2, workers: Int = 1, startBatch: Int = 0, epoch: Int = 1, seed: UInt64 = 1,
                    training: Bool = false, collater: Collater = Collater()) {
            self.prefetch = prefetch
            self.workers = workers
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
                if let pipeline { return try pipeline.take(position).get() }
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

    /// The producer threads and their bounded, ordered buffer. The threads hold only the buffer (and
    /// the loader), so when the consumer drops the iterator, `Pipeline.deinit` stops them.
    final class Pipeline {
        let buffer: OrderedBuffer

        init(loader: BatchLoader, from start: Int) {
            let buffer = OrderedBuffer(next: start, capacity: loader.options.prefetch)
            self.buffer = buffer
            let workers = Swift.max(1, loader.options.workers)
            for w in 0..<workers {
                let thread = Thread {
                    var p = start + w
                    while p < loader.batches.count {
                        guard buffer.waitForRoom(p) else { return }
                        let result = Result { try loader.collate(position: p) }
                        buffer.put(p, result)
                        if case .failure = result { return }
                        p += workers
                    }
                }
                thread.name = "BatchLoader-\(w)"
                thread.start()
            }
        }

        func take(_ position: Int) -> Result<Batch, any Error> { buffer.take(position) }

        deinit { buffer.cancel() }
    }

    /// Results by plan position. A worker may start position p only while p < (next to be taken) +
    /// capacity, so at most `capacity` batches are held or in the making; the consumer takes them in
    /// position order whatever order they were finished in.
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
