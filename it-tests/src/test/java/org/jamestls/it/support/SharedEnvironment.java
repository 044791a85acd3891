package org.jamestls.it.support;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension giving every IT class the same {@link TestEnvironment} (one dnsmasq, one Postfix,
 * one James per Maven run). It lives in the root context's store, so JUnit closes it once, after the last
 * test class of the run.
 * <pre>
 * &#64;ExtendWith(SharedEnvironment.class)
 * class MyIT {
 *     &#64;Test void delivers(TestEnvironment env) { ... }
 * }
 * </pre>
 * Test methods, constructors and lifecycle methods may declare a {@link TestEnvironment} parameter. The class's
 * {@link TestDns} records are served before its first test.
 */
public final class SharedEnvironment implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(
        SharedEnvironment.class);

    /** The shared environment, created (dnsmasq + Postfix started) on first use. */
    @SuppressWarnings("deprecation") // getOrComputeIfAbsent: the 5.x API, still supported in 5.14
    public static TestEnvironment get(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
            .getOrComputeIfAbsent(TestEnvironment.class, k -> new TestEnvironment(), TestEnvironment.class);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IllegalAccessException {
        TestEnvironment env = get(context);
        for (Field field : context.getRequiredTestClass().getDeclaredFields()) {
            if (field.isAnnotationPresent(TestDns.class)) {
                if (!Modifier.isStatic(field.getModifiers()) || field.getType() != DnsRecords.class) {
                    throw new IllegalStateException("@TestDns marks a static DnsRecords field, not " + field);
                }
                field.setAccessible(true);
                env.dns().publish((DnsRecords) field.get(null));
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == TestEnvironment.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return get(extensionContext);
    }
}
