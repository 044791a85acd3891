package org.jamestls.mtasts;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.dnsservice.api.DNSService;

/** MX, TXT and address records from maps, as James's DNSService would return them; counts MX and TXT lookups. */
public final class FakeDns implements DNSService {
    private final Map<String, List<String>> txt = new ConcurrentHashMap<>();
    private final Map<String, List<InetAddress>> addresses = new ConcurrentHashMap<>();
    private final Map<String, List<String>> mx = new ConcurrentHashMap<>();
    public final AtomicInteger mxLookups = new AtomicInteger();
    public final AtomicInteger txtLookups = new AtomicInteger();
    public volatile boolean txtFails;

    public FakeDns txt(String name, String... records) {
        txt.put(name, List.of(records));
        return this;
    }

    public FakeDns noTxt(String name) {
        txt.remove(name);
        return this;
    }

    public FakeDns a(String host, String... ips) {
        List<InetAddress> list = new ArrayList<>();
        for (String ip : ips) {
            try {
                list.add(InetAddress.getByName(ip));
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException(ip, e);
            }
        }
        addresses.put(host, list);
        return this;
    }

    /** MX records of a domain, host names in preference order. */
    public FakeDns mx(String domain, String... hosts) {
        mx.put(domain, List.of(hosts));
        return this;
    }

    @Override
    public Collection<String> findMXRecords(String hostname) {
        mxLookups.incrementAndGet();
        return mx.getOrDefault(hostname, List.of());
    }

    @Override
    public Collection<String> findTXTRecords(String hostname) {
        txtLookups.incrementAndGet();
        if (txtFails) {
            throw new IllegalStateException("SERVFAIL");
        }
        return txt.getOrDefault(hostname, List.of());
    }

    @Override
    public Collection<InetAddress> getAllByName(String host) throws UnknownHostException {
        List<InetAddress> found = addresses.get(host);
        if (found == null) {
            throw new UnknownHostException(host);
        }
        return found;
    }

    @Override
    public InetAddress getByName(String host) throws UnknownHostException {
        return getAllByName(host).iterator().next();
    }

    @Override
    public InetAddress getLocalHost() throws UnknownHostException {
        return InetAddress.getLoopbackAddress();
    }

    @Override
    public String getHostName(InetAddress addr) {
        return addr.getHostAddress();
    }
}
