package org.jamestls.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RFC 3463 section 2: the basic code decides the class; the enhanced code gives subject and detail. EHLO lines: keyword
 * and parameters as the transaction asks for them.
 */
class SmtpReplyTest {
    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "250 | 2.1.5 ok                      | 2.1.5",
        "450 | 4.7.1 try later               | 4.7.1",
        "450 | 5.7.1 greylisted, try later   | 4.7.1",
        "550 | 4.1.1 no such user            | 5.1.1",
        "550 | 5.1.1 no such user            | 5.1.1",
        "451 | 2.0.0 odd                     | 4.0.0",
        "554 | no enhanced code              | 5.0.0",
        "421 | 4.3.2 shutting down           | 4.3.2",
        "552 | 5.3.4 too big                 | 5.3.4"
    })
    void theBasicCodeGivesTheClass(int code, String text, String expected) {
        assertThat(new SmtpReply(code, List.of(text)).enhancedStatus()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', nullValues = "absent", value = {
        "SIZE          | SIZE 10240000   | 10240000",
        "size          | SIZE 10240000   | 10240000",
        "PIPELINING    | PIPELINING      | ''",
        "CHUNKING      | '  CHUNKING  '  | ''",
        "AUTH          | AUTH=LOGIN PLAIN | LOGIN PLAIN",
        "AUTH          | AUTH   PLAIN    | PLAIN",
        "SIZE          | SIZEX 100       | absent",
        "SIZE          | SIZ 100         | absent",
        "8BITMIME      | SIZE 8BITMIME   | absent",
        "STARTTLS      | STARTTLS        | ''",
    })
    void anEhloLineNamesItsKeywordAndParameters(String keyword, String line, String expected) {
        SmtpReply ehlo = new SmtpReply(250, List.of("mx.test greets you", line, "ENHANCEDSTATUSCODES"));

        assertThat(ehlo.extensionParameters(keyword).orElse(null)).isEqualTo(expected);
        assertThat(ehlo.offersExtension(keyword)).isEqualTo(expected != null);
    }

    @Test
    void theGreetingLineIsNoExtension() {
        assertThat(new SmtpReply(250, List.of("PIPELINING", "SIZE 10")).offersExtension("PIPELINING")).isFalse();
    }
}
