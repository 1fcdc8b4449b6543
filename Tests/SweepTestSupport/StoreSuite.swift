import SweepStore

/// A suite whose tests each get a fresh `StoreFixture` (Swift Testing makes the suite anew per test): its parts
/// read as the suite's own `url`, `database` and `driver`.
public protocol StoreSuite {
    var store: StoreFixture { get }
}

extension StoreSuite {
    public var url: String { store.url }
    public var database: Database { store.database }
    public var driver: StoreDriver { store.driver }
}
