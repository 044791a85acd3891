package org.jamestls.it.support;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.io.UncheckedIOException;

/**
 * A broken DNS server on {@value #ADDRESS}:53 that answers every UDP query with RCODE 2 (SERVFAIL), echoing
 * the question: dnsmasq forwards the domains marked {@link DnsRecords.Builder#servfail} to it, as a recursive
 * resolver would relay a failing authoritative server.
 */
final class ServfailResponder implements AutoCloseable {
    static final String ADDRESS = "127.0.0.98";
    private static final int SERVFAIL = 2;

    private DatagramSocket socket;
    private Thread loop;

    synchronized void start() {
        if (socket != null) {
            return;
        }
        try {
            socket = new DatagramSocket(null);
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(ADDRESS), 53));
            socket.setSoTimeout(200);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot bind the SERVFAIL responder to " + ADDRESS + ":53", e);
        }
        DatagramSocket s = socket;
        loop = new Thread(() -> answerUntilClosed(s), "dns-servfail");
        loop.setDaemon(true);
        loop.start();
    }

    private static void answerUntilClosed(DatagramSocket s) {
        byte[] buffer = new byte[4096];
        while (!s.isClosed()) {
            try {
                DatagramPacket query = new DatagramPacket(buffer, buffer.length);
                s.receive(query);
                byte[] answer = servfail(query.getData(), query.getLength());
                s.send(new DatagramPacket(answer, answer.length, query.getSocketAddress()));
            } catch (SocketTimeoutException e) {
                // poll until closed
            } catch (IOException e) {
                return;
            }
        }
    }

    /** The query turned into a response: QR set, RD kept, RA set, RCODE SERVFAIL, no answer records. */
    private static byte[] servfail(byte[] query, int length) {
        byte[] answer = java.util.Arrays.copyOf(query, length);
        answer[2] = (byte) (0x80 | (query[2] & 0x01));
        answer[3] = (byte) (0x80 | SERVFAIL);
        // ANCOUNT, NSCOUNT, ARCOUNT = 0 (drops an EDNS OPT record; fine for a failure answer)
        for (int i = 6; i < 12; i++) {
            answer[i] = 0;
        }
        int end = questionEnd(answer, length);
        return java.util.Arrays.copyOf(answer, end);
    }

    private static int questionEnd(byte[] message, int length) {
        int i = 12;
        while (i < length && message[i] != 0) {
            i += (message[i] & 0xff) + 1;
        }
        return Math.min(i + 5, length);
    }

    @Override
    public synchronized void close() {
        if (socket != null) {
            socket.close();
            socket = null;
        }
    }
}
