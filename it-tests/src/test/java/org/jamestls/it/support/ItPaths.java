package org.jamestls.it.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Directories handed over by the failsafe configuration (system properties), with defaults that work
 * when a test is started from an IDE with it-tests/ as working directory.
 */
public final class ItPaths {

    private ItPaths() {
    }

    /** target/james-runtime: lib/ (James 3.8.1 memory server classpath) and extensions-jars/ (the mailet). */
    public static Path jamesRuntime() {
        return dir("it.james.runtime.dir", "target/james-runtime");
    }

    /**
     * activemq-server/target/james-runtime: lib/ = James 3.8.1 memory server with the JPA app's ActiveMQ mail
     * queue (RestartPersistenceIT).
     */
    public static Path activeMqRuntime() {
        return dir("it.activemq.runtime.dir", "../activemq-server/target/james-runtime");
    }

    /**
     * rabbitmq-server/target/james-runtime: lib/ = James 3.8.1 memory server on the RabbitMQ mail queue with a shared
     * blob directory (the cluster tests, through it-tests/scripts/cluster.sh).
     */
    public static Path rabbitMqRuntime() {
        return dir("it.rabbitmq.runtime.dir", "../rabbitmq-server/target/james-runtime");
    }

    /** it-tests/scripts/cluster.sh. */
    public static Path clusterScript() {
        return dir("it.cluster.script", "scripts/cluster.sh");
    }

    /** it-tests/scripts/listener-cert.sh: the sample SMTP listener's self-signed STARTTLS pair, when a conf lacks one. */
    public static Path listenerCertScript() {
        return dir("it.listener.cert.script", "scripts/listener-cert.sh");
    }

    /** The repository's config-samples/ directory (James conf files). */
    public static Path configSamples() {
        Path p = dir("it.config.samples.dir", "../config-samples");
        if (!Files.isDirectory(p)) {
            throw new IllegalStateException("config-samples directory not found: " + p);
        }
        return p;
    }

    /** Scratch space for dnsmasq and Postfix. */
    public static Path workDir() {
        return dir("it.work.dir", "target/it-work");
    }

    /** The James working directory assembled by {@link JamesServer}. */
    public static Path jamesHome() {
        return dir("it.james.home", "target/james-home");
    }

    private static Path dir(String property, String fallback) {
        return Paths.get(System.getProperty(property, fallback)).toAbsolutePath().normalize();
    }
}
