package org.jamestls.it.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What one benchmark phase measures (-Dbench.paths=ids). Through James, the envelope sender picks the path in
 * bench-mailetcontainer.xml; a drain path's sender leads to the {@code HoldInQueue} test vehicle, which holds the
 * mails on that path's outgoing queue until the benchmark releases them all at once.
 */
enum BenchPath {
    CEILING("ceiling", Kind.CEILING, "ceiling: plain client, reused connections", null, true, null),
    STOCK("stock", Kind.THROUGH_JAMES, "stock RemoteDelivery (startTLS)", "stock@bench.test", true, "outgoing"),
    REQUIRED("required", Kind.THROUGH_JAMES, "TlsRemoteDelivery tls=required", "tlsrequired@bench.test", true,
        "tls-outgoing"),
    NO("no", Kind.THROUGH_JAMES, "TlsRemoteDelivery tls=no", "tlsno@bench.test", false, "tls-outgoing-no"),
    DRAIN_STOCK("drain-stock", Kind.DRAIN, "drain: stock RemoteDelivery (startTLS)", "drain-stock@bench.test", true,
        "outgoing"),
    DRAIN_REQUIRED("drain-required", Kind.DRAIN, "drain: TlsRemoteDelivery tls=required", "drain-required@bench.test",
        true, "tls-outgoing"),
    DRAIN_NO("drain-no", Kind.DRAIN, "drain: TlsRemoteDelivery tls=no", "drain-no@bench.test", false,
        "tls-outgoing-no");

    /** How the mails of a phase reach the sinks. */
    enum Kind {
        /** The benchmark's own client straight to the sinks (through the proxy). */
        CEILING,
        /** Submitted to James while James delivers. */
        THROUGH_JAMES,
        /** Queued in James first (held), then released at once. */
        DRAIN
    }

    final String id;
    final Kind kind;
    final String label;
    final String sender;
    final boolean overTls;
    /** James mail queue the path delivers from. */
    final String queue;

    BenchPath(String id, Kind kind, String label, String sender, boolean overTls, String queue) {
        this.id = id;
        this.kind = kind;
        this.label = label;
        this.sender = sender;
        this.overTls = overTls;
        this.queue = queue;
    }

    static Optional<BenchPath> byId(String id) {
        for (BenchPath p : values()) {
            if (p.id.equals(id)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    static String ids() {
        List<String> ids = new ArrayList<>();
        for (BenchPath p : values()) {
            ids.add(p.id);
        }
        return String.join(",", ids);
    }
}
