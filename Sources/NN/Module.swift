import Autograd
import TensorCore

/// A layer with parameters, addressed by dotted paths equal to PyTorch's `state_dict()` names.
///
/// A module lists its own parameters (`localParameters`, e.g. `weight`, `bias`) and its child modules
/// (`children`, e.g. `fc1`, or `0`, `1`, … in a `ModuleList`); `namedParameters()` joins the names
/// with dots, so a Transformer's `layers.3.fc1.weight` is found as in the PyTorch checkpoint.
/// Parameters are leaf `Variable`s with `requiresGrad: true`; loading a checkpoint replaces their
/// `value` in place, so references held by an optimiser stay valid.
public protocol Module: AnyObject {
    /// This module's own parameters, by local name, in registration order.
    var localParameters: [(String, Variable)] { get }
    /// The child modules, by local name, in registration order.
    var children: [(String, any Module)] { get }
    /// State that is saved and loaded with the parameters but not trained (PyTorch's buffers, e.g.
    /// BatchNorm's running statistics), by local name; held in `Variable`s without gradient.
    var localBuffers: [(String, Variable)] { get }
}

extension Module {
    public var localParameters: [(String, Variable)] { [] }
    public var children: [(String, any Module)] { [] }
    public var localBuffers: [(String, Variable)] { [] }

    /// Every buffer path with its holder (as `stateDictParameters()`, for buffers).
    public func namedBuffers() -> [(String, Variable)] {
        var result = localBuffers
        for (name, child) in children {
            result += child.namedBuffers().map { ("\(name).\($0.0)", $0.1) }
        }
        return result
    }

    /// Every parameter path with its variable, own parameters first, then children depth-first
    /// (the order of PyTorch's `state_dict()` for modules that register parameters first). A shared
    /// (tied) parameter appears under each of its paths, as in a PyTorch state dict.
    public func stateDictParameters() -> [(String, Variable)] {
        var result = localParameters
        for (name, child) in children {
            result += child.stateDictParameters().map { ("\(name).\($0.0)", $0.1) }
        }
        return result
    }

    /// As `stateDictParameters()` but a shared parameter only under its first path, as PyTorch's
    /// `named_parameters()`; use these (or `parameters`) for optimisers, so a tied weight is updated once.
    public func namedParameters() -> [(String, Variable)] {
        var seen = Set<ObjectIdentifier>()
        return stateDictParameters().filter { seen.insert(ObjectIdentifier($0.1)).inserted }
    }

    /// The distinct parameters in `namedParameters()` order.
    public var parameters: [Variable] { namedParameters().map(\.1) }

    /// Total number of parameter elements.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

    /// The parameter and buffer values by path (a state dict).
    public func stateDict() -> [String: Tensor] {
        Dictionary((stateDictParameters() + namedBuffers()).map { ($0.0, $0.1.value) }, uniquingKeysWith: { a, _ in a })
    }

    /// Clears every parameter's gradient.
    public func zeroGrad() { for p in parameters { p.zeroGrad() } }

    /// Every module in the tree (self first, then children depth-first).
    public func modules() -> [any Module] {
        [self] + children.flatMap { $0.1.modules() }
    }

    /// Switches every `Dropout` and `BatchNorm1d` in the tree to training (`true`) or evaluation, as PyTorch's
    /// `train()` / `eval()`.
    public func setTraining(_ training: Bool) {
        for m in modules() {
            if let d = m as? Dropout { d.isTraining = training }
            if let n = m as? BatchNorm1d { n.isTraining = training }
        }
    }
}

/// A module mapping one variable to one variable on a tape.
public protocol UnaryLayer: Module {
    func callAsFunction(_ x: Variable, on tape: Tape) -> Variable
}

/// A list of modules whose children are named `0`, `1`, … (PyTorch's `nn.ModuleList`), so that
/// parameters read `layers.3.fc1.weight` when the list is registered as `layers`.
public final class ModuleList<Element: Module>: Module {
    public var items: [Element]

    public init(_ items: [Element]) { self.items = items }

    public var children: [(String, any Module)] { items.enumerated().map { ("\($0.offset)", $0.element) } }
    public var count: Int { items.count }
    public subscript(_ i: Int) -> Element { items[i] }
}
