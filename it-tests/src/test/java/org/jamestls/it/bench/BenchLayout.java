package org.jamestls.it.bench;

import java.util.ArrayList;
import java.util.List;

import org.jamestls.it.support.DnsRecords;

/**
 * Where the benchmark's mail goes: mail {@code seq} to {@code rcpt<seq>@bench<seq % domains + 1>.test}, so it
 * spreads evenly over the domains; domain {@code benchD.test} has the MX host {@code mx.benchD.test} whose address
 * is {@code 127.0.1.<(D-1) % mxAddresses + 1>}. {@code mxAddresses = 1}: every domain on one MX address;
 * {@code mxAddresses = domains}: one address each. Port 25 of those addresses is what every client dials (stock
 * RemoteDelivery cannot dial another): the proxies, or the sinks themselves without the proxy.
 */
final class BenchLayout {

    /** Port the sinks listen on behind the proxies. */
    static final int SINK_PORT_BEHIND_PROXY = 2626;
    static final int MX_PORT = 25;

    final int domains;
    final int mxAddresses;

    BenchLayout(int domains, int mxAddresses) {
        this.domains = domains;
        this.mxAddresses = mxAddresses;
    }

    String domain(int seq) {
        return "bench" + (seq % domains + 1) + ".test";
    }

    String recipient(int seq) {
        return "rcpt" + seq + "@" + domain(seq);
    }

    /** The MX address of mail {@code seq}'s domain. */
    String mxAddress(int seq) {
        return address(seq % domains % mxAddresses);
    }

    List<String> mxAddressList() {
        List<String> all = new ArrayList<>();
        for (int i = 0; i < mxAddresses; i++) {
            all.add(address(i));
        }
        return all;
    }

    DnsRecords records() {
        DnsRecords.Builder r = DnsRecords.builder();
        for (int d = 0; d < domains; d++) {
            String mx = "mx." + domain(d);
            r.mx(domain(d), mx, 10).a(mx, mxAddress(d));
        }
        return r.build();
    }

    private static String address(int index) {
        return "127.0.1." + (index + 1);
    }
}
