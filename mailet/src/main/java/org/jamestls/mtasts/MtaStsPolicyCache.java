package org.jamestls.mtasts;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;

import org.jamestls.cache.TimedCache;
import org.jamestls.files.AtomicFiles;
import org.jamestls.names.HostNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Policies by domain, in memory and in one properties file per domain under a directory (James's
 * {@code var/mtasts}), so that a restart keeps them: RFC 8461 wants a cached policy to outlive a failed fetch.
 * A domain's file is read the first time that domain is looked up. Files are replaced atomically (temporary
 * file, then rename), so a crash never leaves half a policy. Expired entries are never returned.
 *
 * <p>Bounded: memory holds at most {@link #DEFAULT_MEMORY_BYTES} of policies (least recently used out first; a
 * domain without a policy takes no memory, its lookup is one failed file open); the directory holds at most
 * {@link #DEFAULT_MAX_FILES} files, and expired files are deleted when read, at start-up and at the first write
 * after each {@link #PRUNE_INTERVAL}. Each file's modification time is set to its policy's expiry, so pruning
 * needs only the directory listing.
 */
public final class MtaStsPolicyCache {
    private static final Logger LOGGER = LoggerFactory.getLogger(MtaStsPolicyCache.class);
    /** Normalised domains are A-labels; anything else never becomes a file name (no path tricks). */
    private static final Pattern SAFE_NAME = Pattern.compile("[a-z0-9_-]+(\\.[a-z0-9_-]+)*");
    private static final String SUFFIX = ".policy";
    /** What {@link AtomicFiles#write} names its temporary files; a crash may leave one behind. */
    private static final String TEMPORARY_SUFFIX = ".tmp";

    /** About 20,000 typical policies (one weighs about 800 bytes), or 128 of the largest (64 KiB) ones. */
    public static final long DEFAULT_MEMORY_BYTES = 16L * 1024 * 1024;
    /** About 40 MB of typical policy files. */
    public static final int DEFAULT_MAX_FILES = 100_000;
    static final Duration PRUNE_INTERVAL = Duration.ofHours(1);
    /** RFC 8461 §3.2: max_age is at most 31557600 s, so no policy is kept in memory longer. */
    private static final Duration LONGEST_MEMORY_LIFE = Duration.ofSeconds(31_557_600);
    /** Rough heap of one entry besides its text: the parsed policy, the key, the cache's own objects. */
    private static final int ENTRY_OVERHEAD_BYTES = 512;

    private final Path directory;
    private final Clock clock;
    private final int maxFiles;
    private final TimedCache<String, CachedPolicy> memory;
    /** Policy files on disk, counted by each prune (the first at start-up) and kept up to date by writes. */
    private int files;
    private Instant nextPrune = Instant.MIN;

    /** @param directory created if missing, on first write */
    public MtaStsPolicyCache(Path directory) {
        this(directory, Clock.systemUTC());
    }

    public MtaStsPolicyCache(Path directory, Clock clock) {
        this(directory, clock, DEFAULT_MEMORY_BYTES, DEFAULT_MAX_FILES);
    }

    MtaStsPolicyCache(Path directory, Clock clock, long memoryBytes, int maxFiles) {
        this.directory = directory;
        this.clock = clock;
        this.maxFiles = maxFiles;
        this.memory = TimedCache.weighted(memoryBytes, MtaStsPolicyCache::weight, LONGEST_MEMORY_LIFE, clock);
        pruneIfDue();
    }

    private static int weight(CachedPolicy policy) {
        // the text, and the parsed patterns that repeat it
        return ENTRY_OVERHEAD_BYTES + 2 * policy.policy().text().length();
    }

    public Path directory() {
        return directory;
    }

    /** The domain's policy if one is cached and not expired at {@code now}. */
    public Optional<CachedPolicy> get(String domain, Instant now) {
        String key = HostNames.aLabelOrNormalized(domain);
        Optional<CachedPolicy> policy = memory.get(key).or(() -> loadIntoMemory(key));
        if (policy.isPresent() && policy.get().isExpiredAt(now)) {
            forgetExpired(policy.get(), now);
            return Optional.empty();
        }
        return policy;
    }

    /**
     * Keeps {@code policy} for its domain, unless a policy fetched later is already there (two deliveries that
     * fetched at once must not go back in time). Written to disk before it is visible; a failed write is logged
     * and the policy still kept in memory.
     */
    public synchronized void put(CachedPolicy policy) {
        String key = policy.domain();
        Optional<CachedPolicy> current = memory.get(key).or(() -> load(key));
        if (current.isPresent() && current.get().fetchedAt().isAfter(policy.fetchedAt())) {
            return;
        }
        if (write(policy)) {
            files++;
        }
        remember(policy);
        if (files > maxFiles) {
            prune(clock.instant());
        } else {
            pruneIfDue();
        }
    }

    /** Policy files in the directory now (for tests and the README's bound). */
    synchronized int fileCount() {
        return listPolicyFiles().size();
    }

    /** Policies held in memory now. */
    long memoryEntries() {
        return memory.size();
    }

    private synchronized Optional<CachedPolicy> loadIntoMemory(String key) {
        Optional<CachedPolicy> loaded = memory.get(key).or(() -> load(key));
        loaded.ifPresent(this::remember);
        return loaded;
    }

    private void remember(CachedPolicy policy) {
        memory.put(policy.domain(), policy, Duration.between(clock.instant(), policy.expiresAt()));
    }

    private synchronized void forgetExpired(CachedPolicy expired, Instant now) {
        memory.get(expired.domain()).filter(p -> p.equals(expired)).ifPresent(p -> memory.remove(p.domain()));
        // the file may hold a newer policy by now: delete it only if it is this one
        if (load(expired.domain()).filter(expired::equals).isPresent() && delete(file(expired.domain()).orElseThrow())
            && files > 0) {
            files--;
        }
    }

    private Optional<CachedPolicy> load(String domain) {
        Optional<Path> file = file(domain);
        if (file.isEmpty()) {
            return Optional.empty();
        }
        return read(file.get(), domain);
    }

    private Optional<CachedPolicy> read(Path file, String domain) {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
            MtaStsPolicy policy = MtaStsPolicy.parse(required(properties, "policy"));
            return Optional.of(new CachedPolicy(domain, required(properties, "id"), policy,
                Instant.parse(required(properties, "fetchedAt"))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | MtaStsParseException | DateTimeParseException | IllegalArgumentException e) {
            LOGGER.warn("Ignoring unreadable MTA-STS cache file {}: {}", file, e.getMessage());
            return Optional.empty();
        }
    }

    /** @return whether the file is new (there was none for the domain) */
    private boolean write(CachedPolicy policy) {
        Optional<Path> file = file(policy.domain());
        if (file.isEmpty()) {
            LOGGER.warn("Not writing the MTA-STS policy of {} to disk: unusual domain name", policy.domain());
            return false;
        }
        Properties properties = new Properties();
        properties.setProperty("domain", policy.domain());
        properties.setProperty("id", policy.id());
        properties.setProperty("fetchedAt", policy.fetchedAt().toString());
        properties.setProperty("policy", policy.policy().text());
        try {
            boolean isNew = !Files.exists(file.get());
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            properties.store(bytes, "MTA-STS policy cache (james-tls-delivery)");
            AtomicFiles.write(file.get(), bytes.toByteArray());
            // the expiry as modification time: pruning reads the directory, not every file
            Files.setLastModifiedTime(file.get(), FileTime.from(policy.expiresAt()));
            return isNew;
        } catch (IOException e) {
            LOGGER.warn("Cannot write the MTA-STS policy of {} to {}: {}", policy.domain(), directory, e.toString());
            return false;
        }
    }

    private synchronized void pruneIfDue() {
        Instant now = clock.instant();
        if (!now.isBefore(nextPrune)) {
            prune(now);
        }
    }

    /**
     * Deletes expired files (and temporary files a crash left), then, above {@code maxFiles}, those expiring
     * soonest, down to 90% of it so that the next writes do not prune again at once.
     */
    private void prune(Instant now) {
        nextPrune = now.plus(PRUNE_INTERVAL);
        if (!Files.isDirectory(directory)) {
            files = 0;
            return;
        }
        List<Path> live = new ArrayList<>();
        int deleted = 0;
        for (Path file : listPolicyFiles()) {
            if (isExpired(file, now)) {
                deleted += delete(file) ? 1 : 0;
            } else {
                live.add(file);
            }
        }
        deleteStaleTemporaryFiles(now);
        if (live.size() > maxFiles) {
            live.sort(Comparator.comparing(MtaStsPolicyCache::modified));
            int target = maxFiles - maxFiles / 10;
            for (Path file : live.subList(0, live.size() - target)) {
                deleted += delete(file) ? 1 : 0;
            }
            LOGGER.warn("MTA-STS cache {} held more than {} policy files: deleted those expiring soonest", directory,
                maxFiles);
            live = new ArrayList<>(live.subList(live.size() - target, live.size()));
        }
        files = live.size();
        if (deleted > 0) {
            LOGGER.info("MTA-STS cache {}: deleted {} policy file(s), {} kept", directory, deleted, files);
        }
    }

    /** By its modification time (the expiry we set), checked against the content when that says expired. */
    private boolean isExpired(Path file, Instant now) {
        if (modified(file).isAfter(now)) {
            return false;
        }
        String name = file.getFileName().toString();
        Optional<CachedPolicy> policy = read(file, name.substring(0, name.length() - SUFFIX.length()));
        if (policy.isEmpty() || policy.get().isExpiredAt(now)) {
            return true;
        }
        // a file written before expiry times were kept as modification times
        try {
            Files.setLastModifiedTime(file, FileTime.from(policy.get().expiresAt()));
        } catch (IOException e) {
            LOGGER.debug("cannot set the expiry of {}: {}", file, e.toString());
        }
        return false;
    }

    private void deleteStaleTemporaryFiles(Instant now) {
        try (DirectoryStream<Path> temporaries = Files.newDirectoryStream(directory, "*" + TEMPORARY_SUFFIX)) {
            for (Path file : temporaries) {
                // a write in progress replaces its file within milliseconds; an hour-old one was left by a crash
                if (modified(file).isBefore(now.minus(PRUNE_INTERVAL))) {
                    delete(file);
                }
            }
        } catch (IOException e) {
            LOGGER.debug("cannot list temporary files in {}: {}", directory, e.toString());
        }
    }

    private List<Path> listPolicyFiles() {
        List<Path> result = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return result;
        }
        try (DirectoryStream<Path> policies = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
            policies.forEach(result::add);
        } catch (IOException e) {
            LOGGER.warn("Cannot list the MTA-STS cache {}: {}", directory, e.toString());
        }
        return result;
    }

    private static Instant modified(Path file) {
        try {
            return Files.getLastModifiedTime(file).toInstant();
        } catch (IOException e) {
            return Instant.MIN;
        }
    }

    private static boolean delete(Path file) {
        try {
            return Files.deleteIfExists(file);
        } catch (IOException e) {
            LOGGER.warn("Cannot delete {}: {}", file, e.toString());
            return false;
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
