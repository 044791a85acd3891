package org.jamestls.it.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Minimal DNS-over-UDP client (A and MX only), used to check that dnsmasq answers what the tests
 * configured. Written against RFC 1035 directly to keep dnsjava off the test classpath.
 */
public final class DnsClient {

    public static final int TYPE_A = 1;
    public static final int TYPE_MX = 15;

    /** An answer: response code (0 = NOERROR, 3 = NXDOMAIN, 5 = REFUSED) and the records found. */
    public static final class Answer {
        public final int rcode;
        /** "127.0.0.11" for A, "10 mx1.example.test" for MX. */
        public final List<String> records;

        Answer(int rcode, List<String> records) {
            this.rcode = rcode;
            this.records = records;
        }

        @Override
        public String toString() {
            return "rcode=" + rcode + " " + records;
        }
    }

    private final String server;
    private final int port;

    public DnsClient(String server, int port) {
        this.server = server;
        this.port = port;
    }

    public Answer query(String name, int type) throws IOException {
        int id = ThreadLocalRandom.current().nextInt(0x10000);
        byte[] query = buildQuery(id, name, type);
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(1000);
            socket.send(new DatagramPacket(query, query.length, InetAddress.getByName(server), port));
            byte[] buf = new byte[4096];
            DatagramPacket resp = new DatagramPacket(buf, buf.length);
            socket.receive(resp);
            return parse(buf, resp.getLength(), id);
        } catch (SocketTimeoutException e) {
            throw new IOException("No DNS answer from " + server + ":" + port + " for " + name, e);
        }
    }

    public List<String> a(String name) throws IOException {
        return query(name, TYPE_A).records;
    }

    public List<String> mx(String name) throws IOException {
        return query(name, TYPE_MX).records;
    }

    private static byte[] buildQuery(int id, String name, int type) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(id >> 8);
        out.write(id);
        out.write(0x01); // RD
        out.write(0x00);
        out.write(0);
        out.write(1); // QDCOUNT
        for (int i = 0; i < 6; i++) {
            out.write(0);
        }
        for (String label : name.split("\\.")) {
            byte[] l = label.getBytes(StandardCharsets.US_ASCII);
            out.write(l.length);
            out.write(l, 0, l.length);
        }
        out.write(0);
        out.write(type >> 8);
        out.write(type);
        out.write(0);
        out.write(1); // IN
        return out.toByteArray();
    }

    private static Answer parse(byte[] b, int len, int id) throws IOException {
        if (len < 12 || u16(b, 0) != id) {
            throw new IOException("Bad DNS response");
        }
        int rcode = b[3] & 0x0f;
        int qd = u16(b, 4);
        int an = u16(b, 6);
        int[] pos = {12};
        for (int i = 0; i < qd; i++) {
            readName(b, pos);
            pos[0] += 4;
        }
        List<String> records = new ArrayList<>();
        for (int i = 0; i < an; i++) {
            readName(b, pos);
            int type = u16(b, pos[0]);
            int rdlen = u16(b, pos[0] + 8);
            int rdata = pos[0] + 10;
            if (type == TYPE_A && rdlen == 4) {
                records.add((b[rdata] & 0xff) + "." + (b[rdata + 1] & 0xff) + "." + (b[rdata + 2] & 0xff) + "."
                    + (b[rdata + 3] & 0xff));
            } else if (type == TYPE_MX) {
                int[] p = {rdata + 2};
                records.add(u16(b, rdata) + " " + readName(b, p));
            }
            pos[0] = rdata + rdlen;
        }
        return new Answer(rcode, records);
    }

    private static String readName(byte[] b, int[] pos) {
        StringBuilder sb = new StringBuilder();
        int p = pos[0];
        boolean jumped = false;
        for (int guard = 0; guard < 128; guard++) {
            int len = b[p] & 0xff;
            if (len == 0) {
                p++;
                break;
            }
            if ((len & 0xc0) == 0xc0) {
                int target = ((len & 0x3f) << 8) | (b[p + 1] & 0xff);
                if (!jumped) {
                    pos[0] = p + 2;
                }
                jumped = true;
                p = target;
                continue;
            }
            if (sb.length() > 0) {
                sb.append('.');
            }
            sb.append(new String(b, p + 1, len, StandardCharsets.US_ASCII));
            p += 1 + len;
        }
        if (!jumped) {
            pos[0] = p;
        }
        return sb.toString();
    }

    private static int u16(byte[] b, int off) {
        return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
    }
}
