import Synchronization
import SweepStore
import Web

/// Counts each user's open SSE streams on this worker against their `max_streams` (DESIGN §7). A stream holds a
/// `Ticket` for as long as its connection lives (the ticket rides on the stream's sink), so the count goes down
/// however the stream ends: closed by the hub, by the client, or never attached at all.
public final class StreamAdmission: Sendable {
    private let open = Mutex<[UserID: Int]>([:])

    public init() {}

    /// A ticket when the user has fewer than `limit` streams open, else nil (the caller answers 429).
    func admit(_ userID: UserID, limit: Int) -> Ticket? {
        let admitted = open.withLock { counts -> Bool in
            guard counts[userID, default: 0] < limit else { return false }
            counts[userID, default: 0] += 1
            return true
        }
        return admitted ? Ticket(admission: self, userID: userID) : nil
    }

    func count(_ userID: UserID) -> Int { open.withLock { $0[userID] ?? 0 } }

    fileprivate func release(_ userID: UserID) {
        open.withLock { counts in
            let left = counts[userID, default: 1] - 1
            counts[userID] = left > 0 ? left : nil
        }
    }

    final class Ticket: Sendable {
        let admission: StreamAdmission
        let userID: UserID

        fileprivate init(admission: StreamAdmission, userID: UserID) {
            self.admission = admission
            self.userID = userID
        }

        deinit { admission.release(userID) }
    }

    /// The stream of an admitted response: hands the hub a sink that carries the ticket.
    struct AdmittedStream: ResponseStream {
        let inner: any ResponseStream
        let ticket: Ticket

        func attach(_ sink: any StreamSink) { inner.attach(TicketedSink(inner: sink, ticket: ticket)) }
    }

    final class TicketedSink: StreamSink {
        let inner: any StreamSink
        let ticket: Ticket

        init(inner: any StreamSink, ticket: Ticket) {
            self.inner = inner
            self.ticket = ticket
        }

        func write(_ bytes: [UInt8]) -> Bool { inner.write(bytes) }
        var isClosedByPeer: Bool { inner.isClosedByPeer }
        var canTakeMore: Bool { inner.canTakeMore }
        func close() { inner.close() }
        @discardableResult
        func respond(_ response: Response) -> Bool { inner.respond(response) }
    }
}
