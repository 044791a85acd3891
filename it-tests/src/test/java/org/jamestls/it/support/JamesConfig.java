package org.jamestls.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a {@link JamesServer} runs with beyond config-samples/: per-test conf files that replace (or add to)
 * the sample files, e.g. a test tls-policy.xml or an alternative mailetcontainer.xml. Immutable value;
 * two equal configs can share one running James (see {@link TestEnvironment#james(JamesConfig)}).
 */
public final class JamesConfig {

    /** Test resource: config-samples/mailetcontainer.xml with James's stock RemoteDelivery in "relay". */
    public static final String STOCK_REMOTE_DELIVERY_RESOURCE = "/stock-remotedelivery-mailetcontainer.xml";

    private final Map<String, String> confFiles;
    private final boolean testVehicle;

    private JamesConfig(Map<String, String> confFiles, boolean testVehicle) {
        this.confFiles = Collections.unmodifiableMap(new TreeMap<>(confFiles));
        this.testVehicle = testVehicle;
    }

    /** config-samples/ as is (plus the substitution map). */
    public static JamesConfig samples() {
        return new JamesConfig(Map.of(), false);
    }

    /**
     * Also puts the TEST VEHICLE jar (org.jamestls.testvehicle: fault-injecting mailets, target/james-runtime/
     * test-vehicle-jars) into James's extensions-jars/.
     */
    public JamesConfig withTestVehicle() {
        return new JamesConfig(confFiles, true);
    }

    public boolean testVehicle() {
        return testVehicle;
    }

    /** config-samples/ with the mailetcontainer.xml that uses James's stock RemoteDelivery (smoke, benchmark). */
    public static JamesConfig stockRemoteDelivery() {
        return samples().withConfResource("mailetcontainer.xml", STOCK_REMOTE_DELIVERY_RESOURCE);
    }

    /** Replaces/adds conf/{@code fileName} with {@code content}. */
    public JamesConfig withConfFile(String fileName, String content) {
        if (fileName.contains("/") || fileName.contains("\\")) {
            throw new IllegalArgumentException("conf file name only, not a path: " + fileName);
        }
        Map<String, String> m = new TreeMap<>(confFiles);
        m.put(fileName, content);
        return new JamesConfig(m, testVehicle);
    }

    /** Replaces/adds conf/{@code fileName} with a test class-path resource (e.g. "/policies/required.xml"). */
    public JamesConfig withConfResource(String fileName, String resource) {
        return withConfFile(fileName, resource(resource));
    }

    public Map<String, String> confFiles() {
        return confFiles;
    }

    public static String resource(String resource) {
        try (InputStream in = JamesConfig.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("No test resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JamesConfig && ((JamesConfig) o).confFiles.equals(confFiles)
            && ((JamesConfig) o).testVehicle == testVehicle;
    }

    @Override
    public int hashCode() {
        return Objects.hash(confFiles, testVehicle);
    }

    @Override
    public String toString() {
        return "JamesConfig" + confFiles.keySet() + (testVehicle ? " + test vehicle" : "");
    }
}
