package org.jamestls.it.support;

/**
 * Every loopback address and port the integration tests use, in one place.
 * All traffic stays on 127.0.0.0/8.
 */
public final class TestNetwork {

    /** dnsmasq. dnsjava (James's DNSService) can only query port 53. */
    public static final String DNS_ADDRESS = "127.0.0.2";
    public static final int DNS_PORT = 53;

    /** James's SMTP listener (the stock sample binds 0.0.0.0:25). */
    public static final String JAMES_SMTP_ADDRESS = "127.0.0.1";
    public static final int JAMES_SMTP_PORT = 10025;
    /** James's webadmin (the stock sample uses 8000). */
    public static final int JAMES_WEBADMIN_PORT = 18000;

    /** Every Postfix receiver listens on this port (the mailet dials the same port on every MX). */
    public static final int RECEIVER_PORT = 2525;

    /** Default receivers of {@link SharedEnvironment} (name, address, initial mode). */
    public static final String RX_TLS_1 = "rx-tls-1";
    public static final String RX_TLS_1_IP = "127.0.0.11";
    public static final String RX_TLS_2 = "rx-tls-2";
    public static final String RX_TLS_2_IP = "127.0.0.12";
    public static final String RX_PLAIN = "rx-plain";
    public static final String RX_PLAIN_IP = "127.0.0.13";
    public static final String RX_BROKEN = "rx-broken";
    public static final String RX_BROKEN_IP = "127.0.0.14";
    /** Its mode is changed at runtime by tests ({@link PostfixReceivers#setMode}); starts as NO_STARTTLS. */
    public static final String RX_SWITCHABLE = "rx-switch";
    public static final String RX_SWITCHABLE_IP = "127.0.0.15";
    public static final String RX_PLAIN_2 = "rx-plain-2";
    public static final String RX_PLAIN_2_IP = "127.0.0.16";

    /**
     * A STARTTLS receiver on port 25, for James's stock RemoteDelivery, which always dials port 25 on MX hosts
     * (stock-remotedelivery-mailetcontainer.xml, HarnessSmokeIT, benchmarks baseline).
     */
    public static final String RX_PORT25 = "rx-port25";
    public static final String RX_PORT25_IP = "127.0.0.10";
    public static final int RX_PORT25_PORT = 25;

    /**
     * Receivers of the certificate-verification matrix ({@link CertificateReceivers}): each offers STARTTLS with
     * the {@link ServerCertKind} of the same name; rx-clientcert (valid certificate) requires a client
     * certificate issued by the test CA; rx-tls12 (valid certificate) speaks only TLSv1.2 with one cipher suite.
     */
    public static final String RX_VALID = "rx-valid";
    public static final String RX_VALID_IP = "127.0.0.21";
    public static final String RX_EXPIRED = "rx-expired";
    public static final String RX_EXPIRED_IP = "127.0.0.22";
    public static final String RX_WRONGHOST = "rx-wronghost";
    public static final String RX_WRONGHOST_IP = "127.0.0.23";
    public static final String RX_SELFSIGNED = "rx-selfsigned";
    public static final String RX_SELFSIGNED_IP = "127.0.0.24";
    public static final String RX_UNTRUSTED = "rx-untrusted";
    public static final String RX_UNTRUSTED_IP = "127.0.0.25";
    public static final String RX_CLIENTCERT = "rx-clientcert";
    public static final String RX_CLIENTCERT_IP = "127.0.0.26";
    public static final String RX_TLS12 = "rx-tls12";
    public static final String RX_TLS12_IP = "127.0.0.27";
    /** The only suite rx-tls12 accepts (OpenSSL name ECDHE-RSA-AES128-GCM-SHA256). */
    public static final String RX_TLS12_CIPHER = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
    public static final String RX_TLS12_CIPHER_OPENSSL = "ECDHE-RSA-AES128-GCM-SHA256";

    /**
     * Receivers for hostile input ({@code HostileInputIT}): rx-no8bit does not offer 8BITMIME, rx-size10m takes
     * at most 10 MiB (SIZE 10485760), rx-nolimit takes any size (its smtpd and its own cleanup service have no
     * message_size_limit), for the DSN of a mail too big elsewhere.
     */
    public static final String RX_NO8BIT = "rx-no8bit";
    public static final String RX_NO8BIT_IP = "127.0.0.28";
    public static final String RX_SIZE10M = "rx-size10m";
    public static final String RX_SIZE10M_IP = "127.0.0.29";
    public static final long RX_SIZE10M_LIMIT = 10_485_760;
    public static final String RX_NOLIMIT = "rx-nolimit";
    public static final String RX_NOLIMIT_IP = "127.0.0.80";

    /**
     * nginx serving MTA-STS policies ({@link MtaStsWebServer}): every {@code mta-sts.<domain>} host on one address,
     * told apart by SNI. 127.0.0.30-39 are reserved for MTA-STS tests.
     */
    public static final String MTA_STS_ADDRESS = "127.0.0.30";
    public static final int MTA_STS_PORT = 443;

    /** An MX name in the signed zone (KnotDns) whose name rx-valid's certificate carries: DANE-TA name checks pass. */
    public static final String DANE_TA_MX = "mx-ta.dane.test";

    /**
     * RestartPersistenceIT's own James (ActiveMQ queue), receiver and dnsmasq: apart from everything above, so the
     * shared environment can stay up while it runs (dnsjava only queries port 53, hence a DNS address of its own).
     */
    public static final String RESTART_JAMES_ADDRESS = "127.0.0.50";
    public static final int RESTART_JAMES_SMTP_PORT = 10025;
    public static final int RESTART_JAMES_WEBADMIN_PORT = 18050;
    public static final String RX_RESTART = "rx-restart";
    public static final String RX_RESTART_IP = "127.0.0.51";
    public static final String RESTART_DNS_ADDRESS = "127.0.0.52";

    /**
     * BadConfigurationIT's own James (nothing else listens on 127.0.0.55), so that it can run beside the shared James: a
     * James that wrongly started would not find the shared one's port taken, and is seen listening here.
     */
    public static final String BAD_CONFIG_JAMES_ADDRESS = "127.0.0.55";
    public static final int BAD_CONFIG_JAMES_SMTP_PORT = 10025;
    public static final int BAD_CONFIG_JAMES_WEBADMIN_PORT = 18055;

    /** ConnectionFaultsIT's fault proxies, one per case: 127.0.0.120 and up (18 cases). */
    public static final int CONNECTION_FAULT_PROXY_FIRST = 120;

    /**
     * The scripted REQUIRETLS receiver ({@link RequireTlsReceiver}: STARTTLS, then REQUIRETLS), on
     * {@link #RECEIVER_PORT}; Debian's Postfix 3.7 cannot offer REQUIRETLS. 127.0.0.90-97 are reserved for
     * REQUIRETLS tests.
     */
    public static final String RX_REQUIRETLS = "rx-requiretls";
    public static final String RX_REQUIRETLS_IP = "127.0.0.90";
    /** A second scripted receiver offering REQUIRETLS after STARTTLS, for delivery tests (RequireTlsDeliveryIT). */
    public static final String RX_REQUIRETLS_2 = "rx-requiretls-2";
    public static final String RX_REQUIRETLS_2_IP = "127.0.0.91";
    /** The scripted receiver's variant that offers STARTTLS but never REQUIRETLS, as Postfix 3.7 does. */
    public static final String RX_NO_REQUIRETLS = "rx-no-requiretls";
    public static final String RX_NO_REQUIRETLS_IP = "127.0.0.92";
    /** STRIPTLS proxies in front of rx-valid: one for REQUIRETLS mail, one for TLS-Required: No mail. */
    public static final String STRIP_REQUIRETLS_PROXY_IP = "127.0.0.93";
    public static final String STRIP_TLS_REQUIRED_NO_PROXY_IP = "127.0.0.94";
    /** A proxy that fakes STARTTLS's 220 and talks plaintext (a handshake that always fails), for the broken-TLS memory. */
    public static final String FAKE_STARTTLS_PROXY_IP = "127.0.0.95";

    /**
     * TLS reporting ({@code TlsReportingIT}): 127.0.0.70-77 are reserved for TLS-RPT tests. .70: a STRIPTLS proxy in
     * front of rx-valid (the MX of an MTA-STS and a DANE domain); .71: the HTTPS report collector (a host of the
     * {@link MtaStsWebServer} nginx, port {@link #MTA_STS_PORT}). PublishedPoliciesIT's STRIPTLS proxies are on .78-.79.
     */
    public static final String TLSRPT_STRIP_PROXY_IP = "127.0.0.70";
    public static final String TLSRPT_COLLECTOR_IP = "127.0.0.71";

    /** Domain suffix of every receiver's myhostname: rx-tls-1 is "rx-tls-1.receivers.test". */
    public static final String RECEIVER_HOSTNAME_SUFFIX = ".receivers.test";

    private TestNetwork() {
    }
}
