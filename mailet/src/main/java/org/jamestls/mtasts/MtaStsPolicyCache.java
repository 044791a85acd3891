package org.jamestls.mtasts;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;

import org.jamestls.files.AtomicFiles;
import org.jamestls.names.HostNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Policies by domain, in memory and in one properties file per domain under a directory (James's
 * {@code var/mtasts}), so that a restart keeps them: RFC 8461 wants a cached policy to outlive a failed fetch.
 * A domain's file is read the first time that domain is looked up. Files are replaced atomically (temporary
 * file, then rename), so a crash never leaves half a policy. Expired entries are never returned.
 */
public final class MtaStsPolicyCache {
    private static final Logger LOGGER = LoggerFactory.getLogger(MtaStsPolicyCache.class);
    /** Normalised domains are A-labels; anything else never becomes a file name (no path tricks). */
    private static final Pattern SAFE_NAME = Pattern.compile("[a-z0-9_-]+(\\.[a-z0-9_-]+)*");
    private static final String SUFFIX = ".policy";

    private final Path directory;
    /** Optional.empty() = looked on disk, nothing there. */
    private final ConcurrentMap<String, Optional<CachedPolicy>> entries = new ConcurrentHashMap<>();

    /** @param directory created if missing, on first write */
    public MtaStsPolicyCache(Path directory) {
        this.directory = directory;
    }

    public Path directory() {
        return directory;
    }

    /** The domain's policy if one is cached and not expired at {@code now}. */
    public Optional<CachedPolicy> get(String domain, Instant now) {
        String key = HostNames.aLabelOrNormalized(domain);
        Optional<CachedPolicy> entry = entries.computeIfAbsent(key, this::load);
        return entry.filter(cached -> !cached.isExpiredAt(now));
    }

    /**
     * Keeps {@code policy} for its domain, unless a policy fetched later is already there (two deliveries that
     * fetched at once must not go back in time). Written to disk before it is visible; a failed write is logged
     * and the policy still kept in memory.
     */
    public void put(CachedPolicy policy) {
        entries.compute(policy.domain(), (key, existing) -> {
            Optional<CachedPolicy> current = existing != null ? existing : load(key);
            if (current.isPresent() && current.get().fetchedAt().isAfter(policy.fetchedAt())) {
                return current;
            }
            write(policy);
            return Optional.of(policy);
        });
    }

    private Optional<CachedPolicy> load(String domain) {
        Optional<Path> file = file(domain);
        if (file.isEmpty()) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file.get())) {
            properties.load(in);
            MtaStsPolicy policy = MtaStsPolicy.parse(required(properties, "policy"));
            return Optional.of(new CachedPolicy(domain, required(properties, "id"), policy,
                Instant.parse(required(properties, "fetchedAt"))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | MtaStsParseException | DateTimeParseException | IllegalArgumentException e) {
            LOGGER.warn("Ignoring unreadable MTA-STS cache file {}: {}", file.get(), e.getMessage());
            return Optional.empty();
        }
    }

    private void write(CachedPolicy policy) {
        Optional<Path> file = file(policy.domain());
        if (file.isEmpty()) {
            LOGGER.warn("Not writing the MTA-STS policy of {} to disk: unusual domain name", policy.domain());
            return;
        }
        Properties properties = new Properties();
        properties.setProperty("domain", policy.domain());
        properties.setProperty("id", policy.id());
        properties.setProperty("fetchedAt", policy.fetchedAt().toString());
        properties.setProperty("policy", policy.policy().text());
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            properties.store(bytes, "MTA-STS policy cache (james-tls-delivery)");
            AtomicFiles.write(file.get(), bytes.toByteArray());
        } catch (IOException e) {
            LOGGER.warn("Cannot write the MTA-STS policy of {} to {}: {}", policy.domain(), directory, e.toString());
        }
    }

    private Optional<Path> file(String domain) {
        if (!SAFE_NAME.matcher(domain).matches()) {
            return Optional.empty();
        }
        return Optional.of(directory.resolve(domain + SUFFIX));
    }

    private static String required(Properties properties, String key) throws MtaStsParseException {
        String value = properties.getProperty(key);
        if (value == null) {
            throw new MtaStsParseException("no " + key);
        }
        return value;
    }
}
