package org.jamestls.it.support;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

import javax.net.ssl.SSLSocket;

/**
 * Probes a receiver directly with a JDK client (same TLS stack as James): does EHLO list STARTTLS, and
 * does the TLS handshake succeed?
 */
public final class SmtpProbe {

    /** What a probe found. */
    public static final class Result {
        public final List<String> ehloLines;
        public final boolean startTlsOffered;
        /** Empty if STARTTLS was not offered or the handshake failed. */
        public final Optional<String> tlsProtocol;
        public final Optional<String> tlsCipher;
        /** The handshake exception's message if the handshake failed. */
        public final Optional<String> handshakeError;

        Result(List<String> ehloLines, boolean startTlsOffered, String protocol, String cipher, String error) {
            this.ehloLines = ehloLines;
            this.startTlsOffered = startTlsOffered;
            this.tlsProtocol = Optional.ofNullable(protocol);
            this.tlsCipher = Optional.ofNullable(cipher);
            this.handshakeError = Optional.ofNullable(error);
        }

        public boolean handshakeSucceeded() {
            return tlsProtocol.isPresent();
        }

        /** The TlsMode this behaviour corresponds to. */
        public TlsMode observedMode() {
            if (!startTlsOffered) {
                return TlsMode.NO_STARTTLS;
            }
            return handshakeSucceeded() ? TlsMode.STARTTLS : TlsMode.BROKEN_TLS;
        }

        @Override
        public String toString() {
            return "startTlsOffered=" + startTlsOffered + " protocol=" + tlsProtocol.orElse("-") + " cipher="
                + tlsCipher.orElse("-") + " error=" + handshakeError.orElse("-") + " ehlo=" + ehloLines;
        }
    }

    private SmtpProbe() {
    }

    /** EHLO, then (if offered) STARTTLS and a JDK TLS handshake. */
    public static Result probe(String host, int port) throws IOException {
        try (SmtpConnection c = SmtpConnection.open(host, port)) {
            SmtpConnection.Reply ehlo = c.expect(250, "EHLO probe.it.test");
            boolean offered = ehlo.hasLine("STARTTLS");
            if (!offered) {
                c.command("QUIT");
                return new Result(ehlo.lines, false, null, null, null);
            }
            try {
                SSLSocket ssl = c.startTls();
                String protocol = ssl.getSession().getProtocol();
                String cipher = ssl.getSession().getCipherSuite();
                c.command("QUIT");
                return new Result(ehlo.lines, true, protocol, cipher, null);
            } catch (IOException handshakeFailure) {
                return new Result(ehlo.lines, true, null, null, String.valueOf(handshakeFailure));
            }
        }
    }

    public static Result probe(ReceiverListener listener) throws IOException {
        return probe(listener.ip(), listener.port());
    }
}
