package org.jamestls.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Unit test (surefire) of the Received-header parsing the ITs rely on. */
class ReceivedMessageTest {

    private static final Map<String, String> LISTENERS = Map.of("rx-tls-1.receivers.test", "rx-tls-1");

    @Test
    void parsesTlsReceivedHeader() {
        ReceivedMessage m = parse("Return-Path: <alice@sender.test>\n"
            + "X-Original-To: bob@tls.test\n"
            + "Delivered-To: bob@tls.test\n"
            + "Received: from relay.example.org (unknown [127.0.0.1])\n"
            + "\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\n"
            + "\t key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)\n"
            + "\t(No client certificate requested)\n"
            + "\tby rx-tls-1.receivers.test (Postfix) with ESMTPS id 77B8520C1EF\n"
            + "\tfor <bob@tls.test>; Thu, 26 Nov 2026 14:32:38 +0000 (UTC)\n"
            + "Received: from localhost (EHLO submitter) ([127.0.0.1]) by vm (JAMES SMTP Server ) with ESMTP\n"
            + "Subject: hello tls\n"
            + "Message-ID: <abc@it.jamestls.test>\n"
            + "\n"
            + "body line\n");

        assertThat(m.tlsUsed()).isTrue();
        assertThat(m.tlsProtocol()).contains("TLSv1.3");
        assertThat(m.tlsCipher()).contains("TLS_AES_256_GCM_SHA384");
        assertThat(m.heloName()).isEqualTo("relay.example.org");
        assertThat(m.clientIp()).isEqualTo("127.0.0.1");
        assertThat(m.receiverHostname()).isEqualTo("rx-tls-1.receivers.test");
        assertThat(m.receiverName()).isEqualTo("rx-tls-1");
        assertThat(m.protocol()).isEqualTo("ESMTPS");
        assertThat(m.recipient()).isEqualTo("bob@tls.test");
        assertThat(m.envelopeSender()).isEqualTo("alice@sender.test");
        assertThat(m.matches("hello tls")).isTrue();
        assertThat(m.matches("abc@it.jamestls")).isTrue();
        assertThat(m.headers("Received")).hasSize(2);
        assertThat(m.body()).isEqualTo("body line\n");
    }

    @Test
    void parsesPlainReceivedHeaderAndNullSender() {
        ReceivedMessage m = parse("Return-Path: <>\n"
            + "Delivered-To: alice@sender.test\n"
            + "Received: from relay.example.org (unknown [127.0.0.1])\n"
            + "\tby rx-plain.receivers.test (Postfix) with ESMTP id 837F120C1F6\n"
            + "\tfor <alice@sender.test>; Thu, 26 Nov 2026 14:32:38 +0000 (UTC)\n"
            + "Subject: Delivery Status Notification\n\nx\n");

        assertThat(m.tlsUsed()).isFalse();
        assertThat(m.tlsProtocol()).isEmpty();
        assertThat(m.receiverName()).isEqualTo("rx-plain.receivers.test");
        assertThat(m.protocol()).isEqualTo("ESMTP");
        assertThat(m.envelopeSender()).isEmpty();
    }

    @Test
    void parsesClientCertificateClause() {
        ReceivedMessage m = parse("Delivered-To: bob@clientcert.test\n"
            + "Received: from relay.example.org (unknown [127.0.0.1])\n"
            + "\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\n"
            + "\t key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256\n"
            + "\t client-signature RSA-PSS (2048 bits) client-digest SHA256)\n"
            + "\t(Client CN \"relay.example.org\", Issuer \"JamesTls Test CA\" (verified OK))\n"
            + "\tby rx-clientcert.receivers.test (Postfix) with ESMTPS id 18D595121FA\n"
            + "\tfor <bob@clientcert.test>; Thu, 26 Nov 2026 15:02:23 +0000 (UTC)\n"
            + "Subject: s\n\nx\n");

        assertThat(m.clientCertificateCn()).contains("relay.example.org");
        assertThat(m.clientCertificateIssuer()).contains("JamesTls Test CA");
        assertThat(m.tlsProtocol()).contains("TLSv1.3");
        assertThat(m.receiverHostname()).isEqualTo("rx-clientcert.receivers.test");
    }

    @Test
    void noClientCertificateWithoutTheClause() {
        ReceivedMessage m = parse("Received: from relay.example.org (unknown [127.0.0.1])\n"
            + "\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))\n"
            + "\t(No client certificate requested)\n"
            + "\tby rx-tls-1.receivers.test (Postfix) with ESMTPS id 1\n"
            + "Subject: s\n\nx\n");

        assertThat(m.clientCertificateCn()).isEmpty();
        assertThat(m.clientCertificateIssuer()).isEmpty();
    }

    private static ReceivedMessage parse(String raw) {
        return new ReceivedMessage(Path.of("/nonexistent"), raw, LISTENERS);
    }
}
