package org.jamestls.it.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a test class's static {@link DnsRecords} field: the records its domains need. {@link SharedEnvironment}
 * serves them (on top of what dnsmasq serves already) before the class's first test, so each class states the
 * records it uses and none relies on another class having run first.
 * <pre>
 * &#64;TestDns
 * static final DnsRecords DNS = DnsRecords.builder().mx("failover.test", "rx-plain.receivers.test", 10).build();
 * </pre>
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface TestDns {
}
