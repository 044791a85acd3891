package org.jamestls.smtpin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;

import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RequireTlsMarkTest {

    static Stream<Arguments> values() {
        return Stream.of(
            Arguments.of("set by RequireTlsHandler", AttributeValue.of(true), true),
            Arguments.of("SetMailAttribute's String", AttributeValue.of("true"), true),
            Arguments.of("String in another case", AttributeValue.of(" TRUE "), true),
            Arguments.of("Boolean false", AttributeValue.of(false), false),
            Arguments.of("String false", AttributeValue.of("false"), false),
            Arguments.of("String yes", AttributeValue.of("yes"), false),
            Arguments.of("a number", AttributeValue.of(1), false),
            Arguments.of("absent", null, false));
    }

    @ParameterizedTest(name = "[{index}] {0} -> {2}")
    @MethodSource("values")
    void countsBooleanTrueAndTheStringTrue(String description, AttributeValue<?> value, boolean marked) throws Exception {
        MailImpl mail = MailImpl.builder().name("m").build();
        if (value != null) {
            mail.setAttribute(new Attribute(RequireTlsMark.ATTRIBUTE, value));
        }

        assertThat(RequireTlsMark.isMarked(mail)).isEqualTo(marked);
        assertThat(RequireTlsMark.ATTRIBUTE.asString()).isEqualTo("jamestls.requiretls");
    }

    @ParameterizedTest(name = "[{index}] a duplicate keeps the mark")
    @MethodSource("values")
    void theMarkSurvivesDuplicate(String description, AttributeValue<?> value, boolean marked) throws Exception {
        MailImpl mail = MailImpl.builder().name("m").build();
        if (value != null) {
            mail.setAttribute(new Attribute(RequireTlsMark.ATTRIBUTE, value));
        }

        assertThat(RequireTlsMark.isMarked(mail.duplicate())).isEqualTo(marked);
    }
}
