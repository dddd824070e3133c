import Dispatch

/// Runs `work` over `count` items on `jobs` threads and returns the results in item order.
///
/// Each worker gets its own `state` (made by `makeState`, e.g. an `FbankExtractor` with its FFT
/// plan), so nothing is shared between threads but the result slots, each written by one worker.
func parallelMap<State, Result>(count: Int, jobs: Int, makeState: () -> State,
                                _ work: (inout State, Int) -> Result) -> [Result] {
    if jobs <= 1 || count <= 1 {
        var state = makeState()
        return (0..<count).map { work(&state, $0) }
    }
    let workers = min(jobs, count)
    let states = UnsafeSendableBox((0..<workers).map { _ in makeState() })
    let slots = UnsafeSendableBox([Result?](repeating: nil, count: count))
    withoutActuallyEscaping(work) { work in
        let body = UnsafeSendableBox(work)
        states.value.withUnsafeMutableBufferPointer { statePtr in
            slots.value.withUnsafeMutableBufferPointer { slotPtr in
                let s = UnsafeSendableBox(statePtr), r = UnsafeSendableBox(slotPtr)
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    var i = w
                    while i < count {
                        r.value[i] = body.value(&s.value[w], i)
                        i += workers
                    }
                }
            }
        }
    }
    return slots.value.map { $0! }
}

/// Carries a value into a `@Sendable` closure where the caller guarantees exclusive access
/// (each worker touches only its own state and result slots).
final class UnsafeSendableBox<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}
