package org.jamestls.smtp;

import java.io.IOException;
import java.net.Socket;

import javax.net.ssl.SSLSocket;

/** Turns a connected plain socket into a TLS socket whose handshake has completed. */
public interface TlsNegotiator {
    SSLSocket negotiate(Socket plain, String peerHost, int peerPort) throws IOException;
}
