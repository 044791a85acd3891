package org.jamestls.smtpin;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;

import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.smtp.SMTPSession;
import org.junit.jupiter.api.Test;

/** AUTH in clear is refused; over TLS James's own AUTH handler answers (the real listener: SmtpListenerSampleIT). */
class AuthRequiresTlsTest {
    private final AuthRequiresTls handler = new AuthRequiresTls();

    @Test
    void authBeforeStartTlsIsRefusedWith538() {
        Response response = handler.onCommand(session(false), auth());

        assertThat(response.getRetCode()).isEqualTo("538");
        assertThat(response.getLines()).singleElement().asString().startsWith("538 5.7.11 ");
    }

    @Test
    void authOverTlsIsLeftToJamess() {
        assertThat(handler.onCommand(session(true), auth())).isNull();
    }

    @Test
    void handlesAuthOnly() {
        assertThat(handler.getImplCommands()).containsExactly("AUTH");
    }

    private static Request auth() {
        return new Request() {
            @Override
            public String getArgument() {
                return "PLAIN AGFsaWNlAHNlY3JldA==";
            }

            @Override
            public String getCommand() {
                return "AUTH";
            }
        };
    }

    private static SMTPSession session(boolean tls) {
        return (SMTPSession) Proxy.newProxyInstance(SMTPSession.class.getClassLoader(), new Class<?>[] {SMTPSession.class},
            (proxy, method, args) -> {
                if (method.getName().equals("isTLSStarted")) {
                    return tls;
                }
                throw new UnsupportedOperationException(method.getName());
            });
    }
}
