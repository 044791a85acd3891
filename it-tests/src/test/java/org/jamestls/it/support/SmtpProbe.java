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
        /** Empty if STARTTLS was not offered or TLS failed (in the handshake or on the EHLO right after it). */
        public final Optional<String> tlsProtocol;
        public final Optional<String> tlsCipher;
        /**
         * Whether the JDK's {@code startHandshake()} returned. With TLS 1.3 a client's handshake is complete before
         * the server has checked the client's Finished (and certificate), so the server may still abort then.
         */
        public final boolean handshakeCompleted;
        /** Why TLS failed: the exception (or the bad EHLO reply) from the handshake or the EHLO after it. */
        public final Optional<String> handshakeError;

        Result(List<String> ehloLines, boolean startTlsOffered, String protocol, String cipher, String error) {
            this(ehloLines, startTlsOffered, protocol != null, protocol, cipher, error);
        }

        Result(List<String> ehloLines, boolean startTlsOffered, boolean handshakeCompleted, String protocol,
               String cipher, String error) {
            this.ehloLines = ehloLines;
            this.startTlsOffered = startTlsOffered;
            this.handshakeCompleted = handshakeCompleted;
            this.tlsProtocol = Optional.ofNullable(protocol);
            this.tlsCipher = Optional.ofNullable(cipher);
            this.handshakeError = Optional.ofNullable(error);
        }

        /** TLS works: handshake done and the server answered EHLO over it. */
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
            return "startTlsOffered=" + startTlsOffered + " handshakeCompleted=" + handshakeCompleted
                + " protocol=" + tlsProtocol.orElse("-") + " cipher="
                + tlsCipher.orElse("-") + " error=" + handshakeError.orElse("-") + " ehlo=" + ehloLines;
        }
    }

    private SmtpProbe() {
    }

    /** EHLO, then (if offered) STARTTLS, a trust-all JDK TLS handshake and EHLO over TLS. */
    public static Result probe(String host, int port) throws IOException {
        return probe(host, port, TlsClient.trustAll());
    }

    /** EHLO, then (if offered) STARTTLS, a TLS handshake as {@code client} and EHLO over TLS. */
    public static Result probe(String host, int port, TlsClient client) throws IOException {
        try (SmtpConnection c = SmtpConnection.open(host, port)) {
            SmtpConnection.Reply ehlo = c.expect(250, "EHLO probe.it.test");
            boolean offered = ehlo.hasLine("STARTTLS");
            if (!offered) {
                c.command("QUIT");
                return new Result(ehlo.lines, false, null, null, null);
            }
            SSLSocket ssl;
            try {
                ssl = c.startTls(client);
            } catch (IOException handshakeFailure) {
                return new Result(ehlo.lines, true, null, null, String.valueOf(handshakeFailure));
            }
            String protocol = ssl.getSession().getProtocol();
            String cipher = ssl.getSession().getCipherSuite();
            try {
                SmtpConnection.Reply tlsEhlo = c.command("EHLO probe.it.test");
                if (tlsEhlo.code != 250) {
                    return new Result(ehlo.lines, true, true, null, null, "EHLO over " + protocol + ": " + tlsEhlo);
                }
                c.command("QUIT");
                return new Result(ehlo.lines, true, protocol, cipher, null);
            } catch (IOException afterHandshake) {
                return new Result(ehlo.lines, true, true, null, null, String.valueOf(afterHandshake));
            }
        }
    }

    public static Result probe(ReceiverListener listener) throws IOException {
        return probe(listener.ip(), listener.port());
    }

    public static Result probe(ReceiverListener listener, TlsClient client) throws IOException {
        return probe(listener.ip(), listener.port(), client);
    }
}
